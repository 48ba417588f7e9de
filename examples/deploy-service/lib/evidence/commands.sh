# shellcheck shell=bash disable=SC2016,SC2153
# (SC2016: jq programs are single-quoted on purpose; SC2153: globals are set in other lib files.)
# The evidence commands (docs/evidence.md): `run --evidence RUN_ID`, `run --verify-evidence FILE --key PUB`,
# `run --verify-ledger [--key PUB]`. Sourced only for them (lib/evidence.sh), so a run does not parse it.

df_ev_usage() { df_die "$_DF_EXIT_USAGE" "$1 (run --help shows the usage)"; }

df_evidence_command() {
  local _df_mode='' _df_target='' _df_key='' _df_record=''
  while (($#)); do
    case $1 in
      --evidence=* | --verify-evidence=* | --key=* | --record=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" && continue ;;
      --evidence | --verify-evidence | --key | --record)
        (($# >= 2)) || df_ev_usage "$1 needs a value"
        case $1 in
          --evidence | --verify-evidence)
            [[ -z $_df_mode ]] || df_ev_usage "give one of --evidence, --verify-evidence, --verify-ledger"
            _df_mode=${1#--} _df_target=$2
            ;;
          --key) _df_key=$2 ;;
          --record) _df_record=$2 ;;
        esac
        shift
        ;;
      --verify-ledger)
        [[ -z $_df_mode ]] || df_ev_usage "give one of --evidence, --verify-evidence, --verify-ledger"
        _df_mode=verify-ledger
        ;;
      *) df_ev_usage "unexpected argument '$1' for ${_df_mode:+--}${_df_mode:-an evidence command}" ;;
    esac
    shift
  done
  if [[ -n $_df_key ]]; then
    [[ -f $_df_key && -r $_df_key ]] || df_die "$_DF_EXIT_NO_INPUT" "cannot read the public key '$_df_key'"
    openssl pkey -pubin -in "$_df_key" -noout 2>/dev/null ||
      df_die "$_DF_EXIT_DATA" "'$_df_key' is not a PEM public key (make one with: openssl pkey -in key.pem -pubout)"
  fi
  _DF_EV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/df-evidence.XXXXXX") || df_die "$_DF_EXIT_IO" "cannot make a temporary folder"
  trap 'rm -rf -- "$_DF_EV_TMP"' EXIT
  case $_df_mode in
    evidence) df_ev_print "$_df_target" ;;
    verify-evidence)
      [[ -n $_df_key ]] || df_ev_usage "--verify-evidence needs --key PUBLIC.pem"
      df_ev_verify_bundle "$_df_target" "$_df_key" "$_df_record"
      ;;
    verify-ledger) df_ev_verify_ledger "$_df_key" ;;
  esac
}

# df_ev_sha FILE...: their SHA-256s, in order, in _DF_EV_SHAS.
df_ev_sha() {
  local -a _df_s
  local _df_l
  _DF_EV_SHAS=()
  mapfile -t _df_s < <(sha256sum -- "$@")
  for _df_l in "${_df_s[@]}"; do
    df_sha_field "$_df_l"
    _DF_EV_SHAS+=("$_DF_SHA")
  done
  ((${#_DF_EV_SHAS[@]} == $#)) || df_die "$_DF_EXIT_IO" "sha256sum failed"
}

# df_ev_parse_line LINE: a ledger line's parts (_DF_EV_BODY, _SEQ, _RUN, _PREV, _LSIG); 1 when it is not one.
df_ev_parse_line() {
  [[ $1 =~ $_DF_EV_LINE_RE ]] || return 1
  _DF_EV_BODY=${BASH_REMATCH[1]} _DF_EV_SEQ=${BASH_REMATCH[2]} _DF_EV_RUN=${BASH_REMATCH[3]}
  _DF_EV_PREV=${BASH_REMATCH[4]} _DF_EV_LSIG=${BASH_REMATCH[6]}
}

# df_ev_check_sig TYPE BODY_FILE BODY_BYTES SIG_BASE64 KEY: does the Ed25519 signature of DSSE's
# PAE(TYPE, BODY) verify with KEY? Standard and URL-safe base64 are both accepted, as DSSE requires.
df_ev_check_sig() {
  local _df_b64=${4//-/+}
  _df_b64=${_df_b64//_//}
  while ((${#_df_b64} % 4)); do _df_b64+='='; done
  { printf 'DSSEv1 %d %s %d ' "${#1}" "$1" "$3" && cat -- "$2"; } >"$_DF_EV_TMP/pae" || return 1
  base64 -d <<<"$_df_b64" >"$_DF_EV_TMP/sig" 2>/dev/null || return 1
  openssl pkeyutl -verify -pubin -inkey "$5" -rawin -in "$_DF_EV_TMP/pae" -sigfile "$_DF_EV_TMP/sig" >/dev/null 2>&1
}

# df_ev_keyid PEM [-pubin]: DSSE's key hint, the SHA-256 of the DER public key (_DF_EV_KEYID).
df_ev_keyid() {
  local _df_k
  _df_k=$(openssl pkey "${@:2}" -in "$1" -pubout -outform DER 2>/dev/null | sha256sum)
  _DF_EV_KEYID=${_df_k:0:64}
  [[ $_DF_EV_KEYID =~ ^[0-9a-f]{64}$ ]]
}

# df_ev_find_entry RUN_ID: the run's ledger line (_DF_EV_LINE, its number _DF_EV_LINENO, parsed).
df_ev_find_entry() {
  df_ledger_path
  [[ -f $_DF_LEDGER ]] || df_die "$_DF_EXIT_NO_INPUT" "no evidence ledger at $_DF_LEDGER: no run of this skill has ended here"
  local _df_hit
  _df_hit=$(grep -n -m 1 -F -e "\"run_id\":\"$1\"," -- "$_DF_LEDGER") ||
    df_die "$_DF_EXIT_NO_INPUT" "run $1 has no entry in $_DF_LEDGER (it has not ended, or its entry was removed)"
  _DF_EV_LINENO=${_df_hit%%:*} _DF_EV_LINE=${_df_hit#*:}
  if ! df_ev_parse_line "$_DF_EV_LINE" || [[ $_DF_EV_RUN != "$1" ]]; then
    df_die "$_DF_EXIT_DATA" "line $_DF_EV_LINENO of $_DF_LEDGER, the entry of run $1, is damaged: run --verify-ledger"
  fi
}

# A record's child runs: each child-workflow step's `child`, and any `children[]`.
readonly _DF_JQ_CHILDREN='def children: (.children // []) + [(.steps + .rollback + (.on_failure // []))[] | .child // empty];'

# The run's Statement (in-toto v1): the record as subject; the predicate from the record, the ledger entry,
# skill.json (when it is still the one the run used) and the children's records.
readonly _DF_JQ_STATEMENT='
def digest($h): if $h == null then null else {sha256: $h} end;
def step($cmds; $calls): {id, title, kind, status, attempts, started_at, ended_at, exit_code, outputs, error}
  + (if .kind == "command" then {commands_sha256: $cmds[.id]} else {} end)
  + (. as $s | {agent_calls: [$calls[] | select(.step == $s.id) | del(.step)]});
$r[0] as $r | ($m[0] // null) as $m
| {_type: "https://in-toto.io/Statement/v1",
   subject: [{name: "runs/\($r.run_id).json", digest: {sha256: $e.record_sha256}}],
   predicateType: $ptype,
   predicate: {
     run: {id: $r.run_id, skill: $r.skill, skill_version: $r.version, status: $r.status, trigger: $r.trigger,
           started_at: $r.started_at, ended_at: $r.ended_at, only_step: $r.only_step, error: $r.error},
     workflow: (if $m then {source: {path: $m.source.path, digest: digest($m.source.sha256)},
                            compiler: $m.compiler, skill_json: {digest: digest($e.skill_json_sha256)}}
                else {skill_json: {digest: digest($e.skill_json_sha256)},
                      note: "skill.json changed since the run: source digest and commands not attested"} end),
     inputs: ($r.inputs | with_entries(if $e.secrets[.key] then .value = {value: "***", salted_sha256: $e.secrets[.key]}
                                       else . end)),
     secret_salt: $e.secret_salt,
     steps: [$r.steps[] | step($cmds; $e.agent_calls)],
     rollback: [$r.rollback[] | step($cmds; $e.agent_calls)],
     on_failure: [($r.on_failure // [])[] | step($cmds; $e.agent_calls)],
     outputs: $r.outputs, missing_outputs: $r.missing_outputs,
     approval: ($r.approval + (if $d then {via: ($d.via // "command line")} else {} end)),
     guardrails: $r.guardrails,
     log: (if $e.log_sha256 then {name: "runs/\($r.run_id).log", digest: digest($e.log_sha256)} else null end),
     children: [$r | children[] | {run_id, skill, status,
                                          digest: digest($kids[.run_id // ""])}],
     ledger: {path: "evidence/ledger.jsonl", seq: $e.seq, entry_sha256: $entry_sha, prev_sha256: $e.prev_sha256,
              sealed_at: $e.sealed_at, entry_signed: $signed}}}'

# df_ev_command_digests: the SHA-256 of each command step's commands in skill.json (the exact bytes a run
# writes to its step script and runs), as a JSON object by step id (_DF_EV_CMDS).
df_ev_command_digests() {
  local -a _df_f _df_ids=() _df_files=()
  local _df_i _df_sep='{'
  mapfile -d '' _df_f < <(jq -j '(.steps + .rollback + (.on_failure // []))[] | select(.kind == "command")
    | .id + "\u0000" + .commands + "\u0000"' "$_DF_MANIFEST")
  _DF_EV_CMDS='{}'
  for ((_df_i = 0; _df_i + 1 < ${#_df_f[@]}; _df_i += 2)); do
    _df_ids+=("${_df_f[_df_i]}")
    printf '%s' "${_df_f[_df_i + 1]}" >"$_DF_EV_TMP/cmd.$_df_i" || df_die "$_DF_EXIT_IO" "cannot write $_DF_EV_TMP"
    _df_files+=("$_DF_EV_TMP/cmd.$_df_i")
  done
  ((${#_df_files[@]})) || return 0
  df_ev_sha "${_df_files[@]}"
  _DF_EV_CMDS=''
  for ((_df_i = 0; _df_i < ${#_df_ids[@]}; _df_i++)); do
    df_json_quote "${_df_ids[_df_i]}" || df_die "$_DF_EXIT_DATA" "a step id in $_DF_MANIFEST is not ASCII"
    _DF_EV_CMDS+="$_df_sep$_DF_JSON:\"${_DF_EV_SHAS[_df_i]}\"" _df_sep=,
  done
  _DF_EV_CMDS+='}'
}

# run --evidence RUN_ID: the Statement in a DSSE envelope on stdout; signed when DF_EVIDENCE_KEY is set.
df_ev_print() {
  df_record_path "$1"
  df_rec_check_lost
  case $_DF_REC_STATUS in
    queued | running | awaiting_approval)
      df_die "$_DF_EXIT_DATA" "run $1 is $_DF_REC_STATUS: its evidence is sealed when it ends" ;;
  esac
  df_ev_find_entry "$1"
  df_manifest_path
  local _df_dec=$_DF_RUNS/$1.decision _df_m=/dev/null _df_d=/dev/null
  printf '%s\n' "$_DF_EV_LINE" >"$_DF_EV_TMP/line"
  local -a _df_files=("$_DF_EV_TMP/line" "$_DF_REC" "$_DF_MANIFEST")
  [[ -f $_df_dec ]] && _df_files+=("$_df_dec")
  df_ev_sha "${_df_files[@]}"
  local _df_entry_sha=${_DF_EV_SHAS[0]} _df_rec_sha=${_DF_EV_SHAS[1]} _df_man_sha=${_DF_EV_SHAS[2]}
  local _df_dec_sha=${_DF_EV_SHAS[3]:-}
  df_ev_body_field record_sha256
  [[ $_df_rec_sha == "$_DF_EV_FIELD" ]] ||
    df_die "$_DF_EXIT_DATA" "the run record $_DF_REC differs from the one sealed in entry $_DF_EV_SEQ of $_DF_LEDGER \
(SHA-256 now $_df_rec_sha, sealed $_DF_EV_FIELD): it was changed after the run ended"
  df_ev_body_field skill_json_sha256
  _DF_EV_CMDS='{}'
  if [[ $_df_man_sha == "$_DF_EV_FIELD" ]]; then
    _df_m=$_DF_MANIFEST
    df_ev_command_digests
  else
    df_log "note: skill.json changed since run $1: its workflow source digest and step commands are not attested"
  fi
  df_ev_body_field decision_sha256
  [[ -f $_df_dec && $_df_dec_sha == "$_DF_EV_FIELD" ]] && _df_d=$_df_dec
  df_ev_children
  jq -jc --slurpfile r "$_DF_REC" --slurpfile m "$_df_m" --slurpfile d "$_df_d" --argjson e "$_DF_EV_BODY" \
    --argjson cmds "$_DF_EV_CMDS" --argjson kids "$_DF_EV_KIDS" --arg entry_sha "$_df_entry_sha" \
    --argjson signed "$([[ -n $_DF_EV_LSIG ]] && echo true || echo false)" --arg ptype "$_DF_EV_PREDICATE" \
    -n "$_DF_JQ_CHILDREN"' $d[0] as $d | '"$_DF_JQ_STATEMENT" >"$_DF_EV_TMP/statement" ||
    df_die "$_DF_EXIT_DATA" "cannot build the Statement of run $1 (is $_DF_REC a run record?)"
  df_ev_envelope "$_DF_EV_TMP/statement"
}

# df_ev_body_field NAME: a digest field of the parsed ledger entry (_DF_EV_FIELD; empty when null or absent).
df_ev_body_field() {
  _DF_EV_FIELD=''
  [[ $_DF_EV_BODY =~ \"$1\":\"([0-9a-f]{64})\" ]] && _DF_EV_FIELD=${BASH_REMATCH[1]}
  return 0
}

# The digests of the child runs a record names, as {run_id: sha256 or null} in _DF_EV_KIDS: the `child` of
# each child-workflow step (`Uses:`, its record in <state>/children/<skill>/runs; lib/children.sh), and any
# `children[].run_id` (their records beside it). A child's digest is its own evidence's subject.
df_ev_children() {
  local -a _df_ids _df_files=() _df_found=()
  local _df_id _df_skill _df_f _df_i _df_sep='{'
  mapfile -t _df_ids < <(jq -r "$_DF_JQ_CHILDREN"'children[] | "\(.skill // "" | strings) \(.run_id // "" | strings)"' "$_DF_REC")
  for _df_id in "${_df_ids[@]}"; do
    _df_skill=${_df_id%% *} _df_id=${_df_id#* }
    [[ $_df_id =~ $_DF_RUN_ID_RE ]] || continue
    _df_f=$_DF_RUNS/$_df_id.json
    [[ ! $_df_skill =~ ^[a-z0-9-]{1,64}$ || ! -f $_DF_STATE/children/$_df_skill/runs/$_df_id.json ]] ||
      _df_f=$_DF_STATE/children/$_df_skill/runs/$_df_id.json
    [[ -f $_df_f ]] || continue
    _df_found+=("$_df_id") _df_files+=("$_df_f")
  done
  _DF_EV_KIDS='{}'
  ((${#_df_files[@]})) || return 0
  df_ev_sha "${_df_files[@]}"
  _DF_EV_KIDS=''
  for ((_df_i = 0; _df_i < ${#_df_found[@]}; _df_i++)); do
    _DF_EV_KIDS+="$_df_sep\"${_df_found[_df_i]}\":\"${_DF_EV_SHAS[_df_i]}\"" _df_sep=,
  done
  _DF_EV_KIDS+='}'
}

# df_ev_envelope STATEMENT_FILE: the DSSE envelope of those bytes on stdout.
df_ev_envelope() {
  local _df_sigs='[]' _df_payload
  _df_payload=$(base64 -w0 -- "$1") || df_die "$_DF_EXIT_IO" "base64 failed"
  if [[ -n ${DF_EVIDENCE_KEY-} ]]; then
    [[ -f $DF_EVIDENCE_KEY && -r $DF_EVIDENCE_KEY ]] ||
      df_die "$_DF_EXIT_CONFIG" "DF_EVIDENCE_KEY names '$DF_EVIDENCE_KEY', which cannot be read"
    df_ev_keyid "$DF_EVIDENCE_KEY" ||
      df_die "$_DF_EXIT_CONFIG" "DF_EVIDENCE_KEY ($DF_EVIDENCE_KEY) is not a PEM private key (openssl genpkey -algorithm ed25519)"
    local _df_body
    _df_body=$(<"$1")
    df_evidence_sign "$_DF_EV_PAYLOAD_TYPE" "$_df_body" "$_DF_EV_TMP/pae" ||
      df_die "$_DF_EXIT_CONFIG" "cannot sign with DF_EVIDENCE_KEY ($DF_EVIDENCE_KEY): $_DF_EV_ERR"
    _df_sigs="[{\"keyid\":\"$_DF_EV_KEYID\",\"sig\":\"$_DF_EV_SIG\"}]"
  else
    df_log "note: DF_EVIDENCE_KEY is not set: the envelope is unsigned (\"signatures\": [])"
  fi
  jq -n --arg t "$_DF_EV_PAYLOAD_TYPE" --arg p "$_df_payload" --argjson s "$_df_sigs" \
    '{payloadType: $t, payload: $p, signatures: $s}'
}

# The in-toto Statement v1 rules a consumer relies on (in-toto/attestation spec/v1/statement.md), each with
# the words that say which one failed.
readonly _DF_JQ_STATEMENT_SHAPE='
if type != "object" then "it is not a JSON object"
elif ._type != "https://in-toto.io/Statement/v1" then "_type is not https://in-toto.io/Statement/v1"
elif (.subject | type) != "array" or (.subject | length) == 0 then "subject is not a non-empty array"
elif any(.subject[]; (.digest | type) != "object" or ((.digest.sha256 // "") | test("^[0-9a-f]{64}$") | not))
  then "a subject has no lower-case hex sha256 digest"
elif (.predicateType | type) != "string" or .predicateType == "" then "predicateType is missing"
elif (.predicate // {} | type) != "object" then "predicate is not an object"
else "ok" end'

# run --verify-evidence FILE --key PUB [--record FILE]: the envelope's signature, the Statement's shape, and,
# where they are at hand, the run record (the subject) and the ledger entry it names.
df_ev_verify_bundle() {
  local _df_file=$1 _df_key=$2 _df_record=$3 _df_payload=$_DF_EV_TMP/payload
  [[ -f $_df_file && -r $_df_file ]] || df_die "$_DF_EXIT_NO_INPUT" "cannot read the evidence file '$_df_file'"
  local -a _df_f
  mapfile -d '' _df_f < <(jq -j 'select(type == "object" and (.payloadType | type) == "string"
      and (.payload | type) == "string" and (.signatures | type) == "array")
    | .payloadType, "\u0000", .payload, "\u0000", ([.signatures[] | .sig // "" | tostring] | join(" ")), "\u0000"' \
    -- "$_df_file" 2>/dev/null)
  ((${#_df_f[@]} == 3)) ||
    df_die "$_DF_EXIT_DATA" "$_df_file is not a DSSE envelope (a JSON object with payloadType, payload, signatures)"
  [[ ${_df_f[0]} == "$_DF_EV_PAYLOAD_TYPE" ]] ||
    df_die "$_DF_EXIT_FAILED" "$_df_file: payloadType is '${_df_f[0]:0:80}', not $_DF_EV_PAYLOAD_TYPE"
  local _df_b64=${_df_f[1]//-/+}
  _df_b64=${_df_b64//_//}
  while ((${#_df_b64} % 4)); do _df_b64+='='; done
  base64 -d <<<"$_df_b64" >"$_df_payload" 2>/dev/null ||
    df_die "$_DF_EXIT_DATA" "$_df_file: the payload is not base64"
  local _df_len _df_sig _df_ok='' _df_n=0
  _df_len=$(wc -c <"$_df_payload")
  for _df_sig in ${_df_f[2]}; do
    _df_n=$((_df_n + 1))
    df_ev_check_sig "$_DF_EV_PAYLOAD_TYPE" "$_df_payload" "$_df_len" "$_df_sig" "$_df_key" && _df_ok=$_df_n && break
  done
  ((_df_n > 0)) || df_die "$_DF_EXIT_FAILED" "$_df_file is unsigned (made without DF_EVIDENCE_KEY): nothing proves who made it"
  [[ -n $_df_ok ]] || df_die "$_DF_EXIT_FAILED" "$_df_file: no signature verifies with $_df_key: the payload was \
changed, the signature replaced, or it was signed with another key"
  local _df_shape
  _df_shape=$(jq -r "$_DF_JQ_STATEMENT_SHAPE" "$_df_payload" 2>/dev/null) || _df_shape="it is not JSON"
  [[ $_df_shape == ok ]] || df_die "$_DF_EXIT_FAILED" "$_df_file: the payload is not an in-toto Statement v1: $_df_shape"
  mapfile -d '' _df_f < <(jq -j '[.subject[0].digest.sha256, (.predicate.run.id // ""), (.predicate.ledger.seq // "" | tostring),
    (.predicate.ledger.entry_sha256 // "")] | map(tostring + "\u0000") | add' "$_df_payload")
  local _df_run=${_df_f[1]:-} _df_notes=''
  df_ev_verify_subject "$_df_file" "${_df_f[0]}" "$_df_run" "$_df_record" || _df_notes+="; run record not checked (none here: give --record FILE)"
  df_ev_verify_position "$_df_file" "${_df_f[2]:-}" "${_df_f[3]:-}" || _df_notes+="; ledger entry not checked (no ledger here)"
  printf 'run: %s verified: run %s, signature %d of %s by the key in %s, in-toto Statement v1%s\n' \
    "$_df_file" "${_df_run:-?}" "$_df_ok" "$_df_n" "$_df_key" "${_df_notes:-; record and ledger entry match}" >&2
}

# df_ev_verify_subject FILE SUBJECT_SHA RUN_ID RECORD: the run record against the Statement's subject; 1 when
# there is no record to compare (another machine), a failure exit when it differs.
df_ev_verify_subject() {
  local _df_rec=$4
  if [[ -z $_df_rec && $3 =~ $_DF_RUN_ID_RE ]]; then
    df_state_paths
    _df_rec=$_DF_RUNS/$3.json
    [[ -f $_df_rec ]] || return 1
  fi
  [[ -n $_df_rec ]] || return 1
  [[ -f $_df_rec && -r $_df_rec ]] || df_die "$_DF_EXIT_NO_INPUT" "cannot read the run record '$_df_rec'"
  df_ev_sha "$_df_rec"
  [[ ${_DF_EV_SHAS[0]} == "$2" ]] || df_die "$_DF_EXIT_FAILED" "$1: the run record $_df_rec differs from the \
Statement's subject (SHA-256 ${_DF_EV_SHAS[0]}, attested $2): the record was changed after the evidence was made"
}

# df_ev_verify_position FILE SEQ ENTRY_SHA: the ledger line the Statement names, when this state folder has it.
df_ev_verify_position() {
  df_ledger_path
  [[ $2 =~ ^[0-9]+$ && -f $_DF_LEDGER ]] || return 1
  local _df_line
  _df_line=$(sed -n "$2{p;q}" -- "$_DF_LEDGER")
  [[ -n $_df_line ]] || df_die "$_DF_EXIT_FAILED" "$1: the ledger $_DF_LEDGER has no entry $2 (it was truncated?)"
  printf '%s\n' "$_df_line" >"$_DF_EV_TMP/line"
  df_ev_sha "$_DF_EV_TMP/line"
  [[ ${_DF_EV_SHAS[0]} == "$3" ]] || df_die "$_DF_EXIT_FAILED" "$1: line $2 of $_DF_LEDGER is not the entry the \
Statement names (SHA-256 ${_DF_EV_SHAS[0]}, attested $3): the ledger was changed"
}

# df_ev_problem TEXT: one finding of --verify-ledger, said at once; the count decides the exit status.
df_ev_problem() {
  df_error "$_DF_LEDGER: $1"
  _DF_EV_PROBLEMS=$((_DF_EV_PROBLEMS + 1))
}

# run --verify-ledger [--key PUB]: every line is a whole entry, numbered in order, chained to the line before
# and (with --key) signed by that key; every record still here is the one its entry sealed, and every
# finished record has an entry. Each finding names the line and what differs; exit 1 when there is one.
df_ev_verify_ledger() {
  local _df_key=$1
  df_ledger_path
  [[ -f $_DF_LEDGER ]] || df_die "$_DF_EXIT_NO_INPUT" "no evidence ledger at $_DF_LEDGER: no run of this skill has ended here"
  local -a _df_lines _df_files=()
  mapfile -t _df_lines <"$_DF_LEDGER"
  local _df_n=${#_df_lines[@]} _df_i _df_tail
  _df_tail=$(tail -c 1 -- "$_DF_LEDGER" | od -An -c)
  mkdir -p -- "$_DF_EV_TMP/lines" || df_die "$_DF_EXIT_IO" "cannot write $_DF_EV_TMP"
  for ((_df_i = 0; _df_i < _df_n; _df_i++)); do
    printf '%s\n' "${_df_lines[_df_i]}" >"$_DF_EV_TMP/lines/$_df_i"
    _df_files+=("$_DF_EV_TMP/lines/$_df_i")
  done
  local -a _df_line_sha=()
  if ((_df_n)); then df_ev_sha "${_df_files[@]}" && _df_line_sha=("${_DF_EV_SHAS[@]}"); fi
  _DF_EV_PROBLEMS=0 _DF_EV_SINCE=''
  local -A _df_sealed=()
  local _df_prev=$_DF_EV_GENESIS _df_no _df_signed=0 _df_len
  for ((_df_i = 0; _df_i < _df_n; _df_i++)); do
    _df_no=$((_df_i + 1))
    if ! df_ev_parse_line "${_df_lines[_df_i]}"; then
      if ((_df_no == _df_n)) && [[ $_df_tail != *'\n'* ]]; then
        df_ev_problem "line $_df_no is cut short (no line end): a crash while appending, or the file was truncated"
      else
        df_ev_problem "line $_df_no is not a ledger entry: it was edited or cut short by a crash"
      fi
      _df_prev=${_df_line_sha[_df_i]}
      continue
    fi
    local _df_what="line $_df_no (entry $_DF_EV_SEQ, run $_DF_EV_RUN)"
    ((_DF_EV_SEQ == _df_no)) || df_ev_problem "$_df_what: holds entry $_DF_EV_SEQ where entry $_df_no belongs: \
entries were removed, inserted or reordered"
    [[ $_DF_EV_PREV == "$_df_prev" ]] || df_ev_problem "$_df_what: prev_sha256 $_DF_EV_PREV is not the SHA-256 of \
line $_df_i ($_df_prev): the line before was changed, removed or moved"
    _df_prev=${_df_line_sha[_df_i]}
    df_ev_body_field record_sha256
    _df_sealed[$_DF_EV_RUN]=$_DF_EV_FIELD
    # The first entry's run was created (its id says when) after every run that ended before evidence existed.
    [[ -n $_DF_EV_SINCE ]] || _DF_EV_SINCE="${_DF_EV_RUN:0:4}-${_DF_EV_RUN:4:2}-${_DF_EV_RUN:6:2}T${_DF_EV_RUN:9:2}:${_DF_EV_RUN:11:2}:${_DF_EV_RUN:13:2}"
    [[ -n $_df_key ]] || continue
    if [[ -z $_DF_EV_LSIG ]]; then
      df_ev_problem "$_df_what: not signed (the run ended without DF_EVIDENCE_KEY)"
      continue
    fi
    printf '%s' "$_DF_EV_BODY" >"$_DF_EV_TMP/body"
    df_byte_len "$_DF_EV_BODY"
    if df_ev_check_sig "$_DF_EV_ENTRY_TYPE" "$_DF_EV_TMP/body" "$_DF_LEN" "$_DF_EV_LSIG" "$_df_key"; then
      _df_signed=$((_df_signed + 1))
    else
      df_ev_problem "$_df_what: the signature does not verify with $_df_key: the entry was changed, its signature \
replaced, or it was signed with another key"
    fi
  done
  df_ev_verify_records _df_sealed
  if ((_DF_EV_PROBLEMS)); then
    df_die "$_DF_EXIT_FAILED" "$_DF_LEDGER does not verify: $_DF_EV_PROBLEMS problem(s), listed above"
  fi
  local _df_how="chained (no --key: signatures not checked)"
  [[ -z $_df_key ]] || _df_how="chained and signed by the key in $_df_key"
  printf 'run: %s verified: %d entries, %s; %d records match their entries, %d pruned by retention\n' \
    "$_DF_LEDGER" "$_df_n" "$_df_how" "$_DF_EV_MATCHED" "$_DF_EV_PRUNED" >&2
}

# df_ev_verify_records SEALED_ARRAY_NAME: the records in runs/ against the digests their entries sealed.
df_ev_verify_records() {
  local -n _df_map=$1
  local -a _df_recs=() _df_ids=() _df_done
  local _df_id _df_i
  _DF_EV_MATCHED=0 _DF_EV_PRUNED=0
  for _df_id in "${!_df_map[@]}"; do
    if [[ -f $_DF_RUNS/$_df_id.json ]]; then
      _df_ids+=("$_df_id") _df_recs+=("$_DF_RUNS/$_df_id.json")
    else
      _DF_EV_PRUNED=$((_DF_EV_PRUNED + 1))
    fi
  done
  if ((${#_df_recs[@]})); then
    df_ev_sha "${_df_recs[@]}"
    for ((_df_i = 0; _df_i < ${#_df_ids[@]}; _df_i++)); do
      _df_id=${_df_ids[_df_i]}
      if [[ ${_DF_EV_SHAS[_df_i]} == "${_df_map[$_df_id]}" ]]; then
        _DF_EV_MATCHED=$((_DF_EV_MATCHED + 1))
      else
        df_ev_problem "run $_df_id: its record differs from the one its entry sealed (SHA-256 now \
${_DF_EV_SHAS[_df_i]}, sealed ${_df_map[$_df_id]}): it was changed after the run ended"
      fi
    done
  fi
  # A finished record without an entry: its entry was removed (the chain alone cannot show a dropped last
  # line). Runs that ended before the ledger's first run began (before evidence existed here) have none.
  local -a _df_all=("$_DF_RUNS"/*.json)
  ((${#_df_all[@]})) || return 0
  mapfile -t _df_done < <(jq -r --arg since "$_DF_EV_SINCE" 'select(.ended_at != null and .ended_at >= $since
      and (.status | IN("queued", "running", "awaiting_approval") | not)) | .run_id | strings' -- "${_df_all[@]}" 2>/dev/null)
  for _df_id in "${_df_done[@]}"; do
    [[ -n ${_df_map[$_df_id]+x} ]] ||
      df_ev_problem "run $_df_id has ended but has no ledger entry: its entry was removed (or the ledger truncated)"
  done
}
