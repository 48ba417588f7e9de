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
  _DF_EV_HEAD=$_DF_EV_DIR/ledger.head
  _DF_EV_LOCK=$_DF_EV_DIR/ledger.holder
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
# It starts one program, sha256sum (docs/performance.md, "Evidence"); openssl too when signing.
df_evidence_seal() {
  [[ -n ${_DF_REC-} && -f $_DF_REC ]] || return 0
  df_ledger_path
  [[ -d $_DF_EV_DIR ]] || mkdir -p -- "$_DF_EV_DIR" 2>/dev/null
  if ! df_ledger_lock; then
    df_error "cannot lock the evidence ledger $_DF_LEDGER${_DF_EV_HOLDER:+ (held by $_DF_EV_HOLDER)}: run $_DF_RUN_ID has no ledger entry"
    return 1
  fi
  df_evidence_append "$1" || df_error "cannot append to the evidence ledger $_DF_LEDGER: run $_DF_RUN_ID has no ledger entry"
  unlink "$_DF_EV_LOCK" 2>/dev/null
  return 0
}

# The ledger's lock is a file that exists while a process appends: evidence/ledger.holder, a hard link
# (made by the ln builtin, so taking the lock starts no program) to a file that names its holder — pid,
# start time, boot id and pid namespace — complete from the moment it exists. The holder removes it when
# done. One that died holding it (a crash) is recognised by that name: its pid is gone or runs another
# process, or the machine has booted since; then the lock is taken over under an flock (see
# df_ledger_lock_takeover). A holder in another pid namespace cannot be judged and is waited for.
# _DF_EV_HOLDER names the holder when the lock stays busy for 30 s.
df_ledger_lock() {
  local _df_own=$_DF_EV_DIR/.holder.$BASHPID _df_held='' _df_retry=0 _df_waited=''
  local _df_until=$((${EPOCHREALTIME%.*} + 30))
  _DF_EV_HOLDER=''
  df_ledger_me
  { printf '%s\n' "$_DF_EV_ME" >"$_df_own"; } 2>/dev/null || return 1
  until ln -- "$_df_own" "$_DF_EV_LOCK" 2>/dev/null; do
    if ((${EPOCHREALTIME%.*} >= _df_until)); then
      _DF_EV_HOLDER=${_df_held:0:200}
      unlink "$_df_own" 2>/dev/null
      return 1
    fi
    _df_held=''
    IFS= read -r _df_held <"$_DF_EV_LOCK" 2>/dev/null
    if [[ -z $_df_held ]]; then
      ((_df_retry++ == 0)) && continue # released between the ln and the read: again at once (once)
    elif df_ledger_holder_gone "$_df_held" && df_ledger_lock_takeover "$_df_held"; then
      continue
    fi
    _df_retry=0 _df_waited=1
    sleep 0.005 # the loadable sleep: no program (a seal holds the lock for a few milliseconds)
  done
  unlink "$_df_own" 2>/dev/null
  [[ -z $_df_waited ]] || df_ledger_sweep
  return 0
}

# df_ledger_sweep: removes the files .holder.PID that runs killed while waiting for the lock left behind
# (only after a wait: a wait is when others wait too). Each names its maker, as the lock does.
df_ledger_sweep() {
  local _df_f _df_held
  for _df_f in "$_DF_EV_DIR"/.holder.*; do
    _df_held=''
    IFS= read -r _df_held <"$_df_f" 2>/dev/null
    [[ -n $_df_held ]] && df_ledger_holder_gone "$_df_held" && unlink "$_df_f" 2>/dev/null
  done
  return 0
}

# df_ledger_me: this process as the lock's holder names it, "PID START BOOT_ID PIDNS", in _DF_EV_ME.
df_ledger_me() {
  local _df_boot='' _df_ns=''
  df_proc_start "$BASHPID"
  IFS= read -r _df_boot </proc/sys/kernel/random/boot_id 2>/dev/null
  df_ledger_pidns && _df_ns=$_DF_EV_NS
  _DF_EV_ME="$BASHPID ${_DF_PROC_START:-?} ${_df_boot:-?} ${_df_ns:-?}"
}

# df_ledger_pidns: the inode of this process's pid namespace (_DF_EV_NS), by the stat loadable.
df_ledger_pidns() {
  df_ledger_stat_builtin || return 1
  local -A _df_st=()
  stat -A _df_st /proc/self/ns/pid 2>/dev/null && [[ ${_df_st[inode]-} =~ ^[0-9]+$ ]] || return 1
  _DF_EV_NS=${_df_st[inode]}
}

# df_ledger_holder_gone "PID START BOOT_ID PIDNS": has the lock's holder ended? Only a sure yes counts:
# another boot, or (in this pid namespace, or where a namespace is unknown: "?") no process with that pid
# and start time.
df_ledger_holder_gone() {
  local _df_pid _df_start _df_boot _df_ns _df_me_pid _df_me_start _df_me_boot _df_me_ns
  read -r _df_pid _df_start _df_boot _df_ns <<<"$1"
  read -r _df_me_pid _df_me_start _df_me_boot _df_me_ns <<<"$_DF_EV_ME"
  [[ $_df_boot != "?" && $_df_me_boot != "?" && $_df_boot != "$_df_me_boot" ]] && return 0
  [[ $_df_ns == "$_df_me_ns" || $_df_ns == "?" || $_df_me_ns == "?" ]] || return 1
  [[ $_df_start == "?" ]] && _df_start=''
  ! df_alive "$_df_pid" "$_df_start"
}

# df_ledger_lock_takeover HELD: removes the lock of a holder that has ended, if it is still that holder's.
# Under an flock on evidence/ledger.lock (only here, so only in this rare case a program starts): two runs
# that both found the same dead holder cannot each remove it, the second one a live run's lock. While the
# lock exists no one else can take it, and a dead holder cannot release it, so it is the same file between
# the read and the unlink. The line the dead run may have left half-written is dealt with by the append.
df_ledger_lock_takeover() {
  local _df_fd _df_held='' _df_rc=1
  { exec {_df_fd}>>"$_DF_EV_DIR/ledger.lock"; } 2>/dev/null || return 1
  if flock -w 30 "$_df_fd"; then
    IFS= read -r _df_held <"$_DF_EV_LOCK" 2>/dev/null
    # 0 when the dead holder's lock is gone (removed here, or by another run before): try again at once.
    if [[ $_df_held != "$1" ]] || unlink "$_DF_EV_LOCK" 2>/dev/null; then _df_rc=0; fi
  fi
  exec {_df_fd}>&-
  return "$_df_rc"
}

# df_ledger_stat_builtin: is the stat loadable builtin (Debian's bash-builtins) enabled? Enabled here on
# first use, as nothing else in the executor runs a stat program.
df_ledger_stat_builtin() {
  if [[ -z ${_DF_EV_STAT-} ]]; then
    _DF_EV_STAT=no
    [[ -r ${_DF_LOADABLES-}/stat ]] && enable -f "$_DF_LOADABLES/stat" stat 2>/dev/null && _DF_EV_STAT=yes
  fi
  [[ $_DF_EV_STAT == yes ]]
}

# df_ledger_size: the ledger's size in bytes (_DF_EV_SIZE) by the stat loadable builtin (Debian's
# bash-builtins; enabled here on first use, as nothing else in the executor runs a stat program). 1 where it
# or the ln and unlink builtins are missing: then there is no head file, and the seal reads the ledger's end.
df_ledger_size() {
  [[ -n ${_DF_LINK-} ]] && df_ledger_stat_builtin || return 1
  _DF_EV_SIZE=0
  [[ -e $_DF_LEDGER ]] || return 0
  local -A _df_st=()
  stat -A _df_st -- "$_DF_LEDGER" 2>/dev/null && [[ ${_df_st[size]-} =~ ^[0-9]+$ ]] || return 1
  _DF_EV_SIZE=${_df_st[size]}
}

# The head file (evidence/ledger.head) saves reading the ledger's end: "SEQ SIZE", then the last line as
# appended. It is a copy, written under the lock after the line and put in place by a hard link, and used
# only while the ledger has exactly SIZE bytes: after a crash between the two writes, or any change of the
# ledger's length, the seal reads the ledger itself. The ledger stays the record: verification never reads
# the head, and an edit of the last line that keeps its length breaks the chain at the next entry.
df_ledger_head() {
  [[ -f $_DF_EV_HEAD ]] && df_ledger_size || return 1
  local _df_seq='' _df_size='' _df_line=''
  { IFS=' ' read -r _df_seq _df_size && IFS= read -r _df_line; } <"$_DF_EV_HEAD" 2>/dev/null || return 1
  [[ $_df_seq =~ ^[0-9]+$ && $_df_size == "$_DF_EV_SIZE" && $_df_line =~ ^\{\"entry\":\{\"seq\":$_df_seq, ]] ||
    return 1
  _DF_EV_LAST=$_df_line _DF_EV_SEQ=$((10#$_df_seq + 1))
}

# df_ledger_head_write SEQ LINE: the head after LINE was appended (a failure only costs the next seal a read).
df_ledger_head_write() {
  df_ledger_size || return 0
  { printf '%s %s\n%s\n' "$1" "$_DF_EV_SIZE" "$2" >"$_DF_EV_HEAD.new"; } 2>/dev/null || return 0
  unlink "$_DF_EV_HEAD" 2>/dev/null
  ln -- "$_DF_EV_HEAD.new" "$_DF_EV_HEAD" 2>/dev/null
  unlink "$_DF_EV_HEAD.new" 2>/dev/null
  return 0
}

# df_ledger_tail: the last line of the ledger (_DF_EV_LAST) and the next entry's number (_DF_EV_SEQ), from
# the head file when it matches the ledger. A last line without its newline is what a crash while appending
# leaves: it is ended here, kept (verification reports it), and the chain goes on from its bytes.
df_ledger_tail() {
  _DF_EV_LAST='' _DF_EV_SEQ=1
  [[ -s $_DF_LEDGER ]] || return 0
  df_ledger_head && return 0
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

# df_evidence_digests: in one sha256sum, the line before (on stdin, with its newline: the line as stored),
# the record, skill.json, the log and decision when there are, and each secret input's salted value (each
# through a pipe of its own: never a file or an argument). _DF_EV_PREV, _DF_EV_REC, _DF_EV_MAN, _DF_EV_LOG
# and _DF_EV_DEC (JSON: a quoted digest or null), _DF_EV_SECRETS ("name":"digest",…), _DF_EV_SALT.
df_evidence_digests() {
  local _df_log=$_DF_RUNS/$_DF_RUN_ID.log _df_dec=$_DF_RUNS/$_DF_RUN_ID.decision _df_n _df_i=3
  local -a _df_files=("$_DF_REC" "$_DF_MANIFEST") _df_s _df_names=()
  [[ -f $_df_log ]] && _df_files+=("$_df_log")
  [[ -f $_df_dec ]] && _df_files+=("$_df_dec")
  # The salt: 128 random bits per run, so whoever knows a value can confirm it and nobody can read it off.
  printf -v _DF_EV_SALT '%08x%08x%08x%08x' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM"
  for _df_n in ${_DF_SECRETS-}; do
    [[ -n ${_DF_IN[$_df_n]-} ]] && _df_names+=("$_df_n")
  done
  # A process substitution lives for one command, so the secrets' pipes are written into the sha256sum
  # command itself; the text eval reads is made here of indices only, never of a name or a value. The
  # output goes to a scratch file, read back with buffered reads: a plain command forks and execs at once,
  # where a process substitution's subshell (running beside this process, read a byte at a time from a
  # pipe) costs more page faults (docs/performance.md, "Evidence"). The file is only written under the lock.
  local _df_cmd='sha256sum -- - "${_df_files[@]}"' _df_out=$_DF_EV_DIR/ledger.digests
  for ((_df_n = 0; _df_n < ${#_df_names[@]}; _df_n++)); do
    _df_cmd+=" <(printf '%s%s' \"\$_DF_EV_SALT\" \"\${_DF_IN[\${_df_names[$_df_n]}]}\")"
  done
  eval "$_df_cmd" <<<"$_DF_EV_LAST" >"$_df_out" && mapfile -t _df_s <"$_df_out" || return 1
  ((${#_df_s[@]} == ${#_df_files[@]} + 1 + ${#_df_names[@]})) || return 1
  df_sha_field "${_df_s[0]}"
  _DF_EV_PREV=$_DF_EV_GENESIS
  [[ -z $_DF_EV_LAST ]] || _DF_EV_PREV=$_DF_SHA
  df_sha_field "${_df_s[1]}" && _DF_EV_REC=$_DF_SHA
  df_sha_field "${_df_s[2]}" && _DF_EV_MAN=$_DF_SHA
  _DF_EV_LOG=null _DF_EV_DEC=null
  if [[ -f $_df_log ]]; then df_sha_field "${_df_s[_df_i++]}" && _DF_EV_LOG="\"$_DF_SHA\""; fi
  if [[ -f $_df_dec ]]; then df_sha_field "${_df_s[_df_i++]}" && _DF_EV_DEC="\"$_DF_SHA\""; fi
  _DF_EV_SECRETS=''
  for _df_n in "${_df_names[@]}"; do
    df_sha_field "${_df_s[_df_i++]}"
    _DF_EV_SECRETS+=${_DF_EV_SECRETS:+,}"\"$_df_n\":\"$_DF_SHA\""
  done
}

df_evidence_append() {
  df_ledger_tail && df_evidence_digests || return 1
  local IFS=,
  local _df_calls="[${_DF_EV_AGENT_CALLS[*]}]"
  unset IFS
  df_now
  local _df_body _df_line
  printf -v _df_body '{"seq":%s,"run_id":"%s","status":"%s","sealed_at":"%s","record_sha256":"%s","skill_json_sha256":"%s","log_sha256":%s,"decision_sha256":%s,"secret_salt":"%s","secrets":{%s},"agent_calls":%s,"prev_sha256":"%s"}' \
    "$_DF_EV_SEQ" "$_DF_RUN_ID" "$1" "$_DF_NOW" "$_DF_EV_REC" "$_DF_EV_MAN" "$_DF_EV_LOG" "$_DF_EV_DEC" \
    "$_DF_EV_SALT" "$_DF_EV_SECRETS" "$_df_calls" "$_DF_EV_PREV"
  _DF_EV_SIG='' _DF_EV_KEYID=''
  [[ -z ${DF_EVIDENCE_KEY-} ]] || df_evidence_sign "$_DF_EV_ENTRY_TYPE" "$_df_body" "$_DF_EV_DIR/.pae.$BASHPID" ||
    df_error "cannot sign ledger entry $_DF_EV_SEQ with DF_EVIDENCE_KEY ($DF_EVIDENCE_KEY): $_DF_EV_ERR; it is appended unsigned"
  printf -v _df_line '{"entry":%s,"keyid":"","sig":"%s"}' "$_df_body" "$_DF_EV_SIG"
  printf '%s\n' "$_df_line" >>"$_DF_LEDGER" || return 1
  df_ledger_head_write "$_DF_EV_SEQ" "$_df_line"
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
df_evidence_cli() {
  # shellcheck source=/dev/null
  source "$_DF_SKILL_DIR/lib/evidence/commands.sh" || exit "$_DF_EXIT_SOFTWARE"
  df_evidence_command "$@"
}
