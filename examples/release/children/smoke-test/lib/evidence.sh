# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# Compliance evidence (docs/evidence.md). At a run's end df_evidence_seal appends one entry to the skill's
# hash-chained ledger, $DF_STATE_DIR/evidence/ledger.jsonl: the SHA-256 of the final run record, of skill.json,
# of the log and the approval decision, salted hashes of the secret inputs, the digests of every agent request
# and reply, and the SHA-256 of the line before it (as stored, newline included); signed when DF_EVIDENCE_KEY names an Ed25519 key. Later,
# `run --evidence ID` turns record + entry into an in-toto Statement in a DSSE envelope, and
# `run --verify-evidence FILE` / `run --verify-ledger` check them. Signatures and digests come from openssl and
# sha256sum: nothing here computes a hash or a signature itself.

readonly _DF_EV_ENTRY_TYPE='application/vnd.dark-factory.ledger-entry+json'
readonly _DF_EV_PAYLOAD_TYPE='application/vnd.in-toto+json'
readonly _DF_EV_PREDICATE='urn:dark-factory:evidence:run:v1'
readonly _DF_EV_GENESIS=0000000000000000000000000000000000000000000000000000000000000000
# A ledger line: the signed entry (a JSON object, its exact bytes), then the key hint and the signature.
readonly _DF_EV_LINE_RE='^\{"entry":(\{"seq":([0-9]+),"run_id":"([0-9TZa-f-]+)",.*,"prev_sha256":"([0-9a-f]{64})"\}),"keyid":"([0-9a-f]*)","sig":"([A-Za-z0-9+/=]*)"\}$'
_DF_EV_AGENT_CALLS=()

df_ledger_path() {
  df_state_paths
  _DF_EV_DIR=$_DF_STATE/evidence
  _DF_LEDGER=$_DF_EV_DIR/ledger.jsonl
}

# df_evidence_agent_call STEP_ID AGENT REQUEST_FILE REPLY_FILE: the digests of one request to the Gateway and
# its answer, kept for the run's ledger entry (one sha256sum per agent attempt; nothing for command steps).
df_evidence_agent_call() {
  local -a _df_s
  mapfile -t _df_s < <(sha256sum -- "$3" "$4" 2>/dev/null)
  ((${#_df_s[@]} == 2)) || return 0
  _DF_EV_AGENT_CALLS+=("{\"step\":\"$1\",\"agent\":\"$2\",\"request_sha256\":\"${_df_s[0]:0:64}\",\"reply_sha256\":\"${_df_s[1]:0:64}\"}")
}

# df_sha_field LINE: the digest of one sha256sum output line (a name with odd bytes starts it with `\`).
df_sha_field() {
  local _df_l=${1#\\}
  _DF_SHA=${_df_l:0:64}
}

# df_evidence_seal STATUS: the run's ledger entry. Called once the record is final; under the ledger's lock,
# so concurrent runs each chain to the line before. A failure is reported and leaves the run's result alone.
df_evidence_seal() {
  [[ -n ${_DF_REC-} && -f $_DF_REC ]] || return 0
  df_ledger_path
  [[ -d $_DF_EV_DIR ]] || mkdir -p -- "$_DF_EV_DIR" 2>/dev/null
  local _df_fd
  # (The braces keep 2>/dev/null to the exec: on a bare exec it would silence this process for good.)
  if ! { exec {_df_fd}>>"$_DF_EV_DIR/ledger.lock"; } 2>/dev/null || ! flock -w 30 "$_df_fd"; then
    df_error "cannot lock the evidence ledger $_DF_LEDGER: run $_DF_RUN_ID has no ledger entry"
    return 1
  fi
  df_evidence_append "$1" || df_error "cannot append to the evidence ledger $_DF_LEDGER: run $_DF_RUN_ID has no ledger entry"
  exec {_df_fd}>&-
  return 0
}

# df_ledger_tail: the last line of the ledger (_DF_EV_LAST) and the next entry's number (_DF_EV_SEQ). A last
# line without its newline is what a crash while appending leaves: it is ended here, kept (verification
# reports it), and the chain goes on from its bytes.
df_ledger_tail() {
  _DF_EV_LAST='' _DF_EV_SEQ=1
  [[ -s $_DF_LEDGER ]] || return 0
  _DF_EV_LAST=$(tail -n 1 -- "$_DF_LEDGER" && printf x) || return 1
  _DF_EV_LAST=${_DF_EV_LAST%x}
  if [[ $_DF_EV_LAST == *$'\n' ]]; then
    _DF_EV_LAST=${_DF_EV_LAST%$'\n'}
    if [[ $_DF_EV_LAST =~ ^\{\"entry\":\{\"seq\":([0-9]+), ]]; then
      _DF_EV_SEQ=$((BASH_REMATCH[1] + 1))
      return 0
    fi
  else
    printf '\n' >>"$_DF_LEDGER" || return 1
  fi
  local _df_n
  _df_n=$(wc -l <"$_DF_LEDGER") || return 1
  _DF_EV_SEQ=$((_df_n + 1))
}

df_evidence_append() {
  df_ledger_tail || return 1
  local _df_log=$_DF_RUNS/$_DF_RUN_ID.log _df_dec=$_DF_RUNS/$_DF_RUN_ID.decision
  local -a _df_files=("$_DF_REC" "$_DF_MANIFEST") _df_s
  [[ -f $_df_log ]] && _df_files+=("$_df_log")
  [[ -f $_df_dec ]] && _df_files+=("$_df_dec")
  # One sha256sum for the line before (on stdin, with its newline: the line as stored) and every file the
  # entry names.
  mapfile -t _df_s < <(sha256sum -- - "${_df_files[@]}" <<<"$_DF_EV_LAST")
  ((${#_df_s[@]} == ${#_df_files[@]} + 1)) || return 1
  local _df_prev=$_DF_EV_GENESIS _df_log_json=null _df_dec_json=null _df_i=3
  df_sha_field "${_df_s[0]}"
  [[ -z $_DF_EV_LAST ]] || _df_prev=$_DF_SHA
  df_sha_field "${_df_s[1]}"
  local _df_rec_sha=$_DF_SHA
  df_sha_field "${_df_s[2]}"
  local _df_man_sha=$_DF_SHA
  if [[ -f $_df_log ]]; then df_sha_field "${_df_s[_df_i++]}" && _df_log_json="\"$_DF_SHA\""; fi
  if [[ -f $_df_dec ]]; then df_sha_field "${_df_s[_df_i]}" && _df_dec_json="\"$_DF_SHA\""; fi
  df_evidence_secrets || return 1
  local IFS=,
  local _df_calls="[${_DF_EV_AGENT_CALLS[*]}]"
  unset IFS
  df_now
  local _df_body
  printf -v _df_body '{"seq":%s,"run_id":"%s","status":"%s","sealed_at":"%s","record_sha256":"%s","skill_json_sha256":"%s","log_sha256":%s,"decision_sha256":%s,"secret_salt":"%s","secrets":{%s},"agent_calls":%s,"prev_sha256":"%s"}' \
    "$_DF_EV_SEQ" "$_DF_RUN_ID" "$1" "$_DF_NOW" "$_df_rec_sha" "$_df_man_sha" "$_df_log_json" "$_df_dec_json" \
    "$_DF_EV_SALT" "$_DF_EV_SECRETS" "$_df_calls" "$_df_prev"
  _DF_EV_SIG='' _DF_EV_KEYID=''
  [[ -z ${DF_EVIDENCE_KEY-} ]] || df_evidence_sign "$_DF_EV_ENTRY_TYPE" "$_df_body" "$_DF_EV_DIR/.pae.$BASHPID" ||
    df_error "cannot sign ledger entry $_DF_EV_SEQ with DF_EVIDENCE_KEY ($DF_EVIDENCE_KEY): $_DF_EV_ERR; it is appended unsigned"
  printf '{"entry":%s,"keyid":"","sig":"%s"}\n' "$_df_body" "$_DF_EV_SIG" >>"$_DF_LEDGER"
}

# The secret inputs that have a value, as "name":"SHA-256(salt || value)" (_DF_EV_SECRETS), and the run's salt
# (_DF_EV_SALT, 128 random bits): whoever knows a value can confirm it, nobody can read it off the ledger.
# The value reaches sha256sum through a pipe, never a file or an argument.
df_evidence_secrets() {
  printf -v _DF_EV_SALT '%08x%08x%08x%08x' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM"
  _DF_EV_SECRETS=''
  local _df_n _df_h
  for _df_n in ${_DF_SECRETS-}; do
    [[ -n ${_DF_IN[$_df_n]-} ]] || continue
    _df_h=$(printf '%s%s' "$_DF_EV_SALT" "${_DF_IN[$_df_n]}" | sha256sum) || return 1
    _DF_EV_SECRETS+=${_DF_EV_SECRETS:+,}"\"$_df_n\":\"${_df_h:0:64}\""
  done
}

# df_evidence_sign PAYLOAD_TYPE BODY PAE_FILE: an Ed25519 signature of DSSE's PAE(PAYLOAD_TYPE, BODY) with the
# key DF_EVIDENCE_KEY names, base64 in _DF_EV_SIG. openssl's -rawin needs a regular file, not a pipe.
df_evidence_sign() {
  _DF_EV_SIG='' _DF_EV_ERR=''
  local _df_sig
  df_byte_len "$2"
  printf 'DSSEv1 %d %s %d %s' "${#1}" "$1" "$_DF_LEN" "$2" >"$3" ||
    { _DF_EV_ERR="cannot write $3" && return 1; }
  _df_sig=$(openssl pkeyutl -sign -inkey "$DF_EVIDENCE_KEY" -rawin -in "$3" 2>"$3.err" | base64 -w0)
  if [[ ${PIPESTATUS[0]} != 0 || -z $_df_sig ]]; then
    _DF_EV_ERR=$(head -c 200 -- "$3.err" | tr '\n' ' ')
    _DF_EV_ERR=${_DF_EV_ERR:-openssl failed}
    rm -f -- "$3" "$3.err"
    return 1
  fi
  rm -f -- "$3" "$3.err"
  _DF_EV_SIG=$_df_sig
}

# The length of $1 in bytes, in _DF_LEN (under LC_ALL=C, ${#…} counts bytes, not characters).
df_byte_len() {
  local LC_ALL=C
  _DF_LEN=${#1}
}

# The evidence commands have a command line of their own (lib/evidence/commands.sh, read only for them).
df_evidence_wanted() {
  local _df_a
  for _df_a in "$@"; do
    case $_df_a in --evidence | --evidence=* | --verify-evidence | --verify-evidence=* | --verify-ledger) return 0 ;; esac
  done
  return 1
}

df_evidence_cli() {
  # shellcheck source=/dev/null
  source "$_DF_SKILL_DIR/lib/evidence/commands.sh" || exit "$_DF_EXIT_SOFTWARE"
  df_evidence_command "$@"
}
