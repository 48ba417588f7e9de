#!/usr/bin/env zsh
# zsh_complete.zsh DIR LINE: prints, one a line, the words zsh's completion system offers for LINE (as if
# Tab were pressed at its end) with the completion functions of DIR, in an interactive zsh under a pseudo
# terminal (zsh/zpty): compinit, then a compadd that also prints what it is given. The end of the answer is
# a line a key binding prints, so the reading waits for a condition, not for a time.
zmodload zsh/zpty || exit 1
zpty comp zsh -f -i
zpty -w comp "PS1='' PS2='' RPS1=''; unsetopt zle_bracketed_paste; fpath=(${(q)1} \$fpath)"
zpty -w comp 'autoload -Uz compinit; compinit -u -D'
# The markers are written in two parts, so that the echo of these lines is never taken for an answer.
zpty -w comp 'compadd() { builtin compadd -O __m "$@"; print -rl -- "MA""TCH:"${^__m}; builtin compadd "$@" }'
zpty -w comp '_end() { print -r -- "EN""D:" }; zle -N _end; bindkey "^X" _end; bindkey "^I" complete-word'
zpty -w -n comp "$2"$'\t\x18'
local line
while zpty -r comp line; do
  [[ $line == *END:* ]] && break
  [[ $line == *MATCH:* ]] && print -r -- "${${line##*MATCH:}%%[$'\r\n']*}"
done
zpty -d comp
