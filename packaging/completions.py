#!/usr/bin/env python3
"""Writes bash, zsh and fish completions for one program from its own --help, so they cannot drift from
the options it takes: completions.py PROGRAM_PATH NAME OUT_DIR.

PROGRAM_PATH --help is cxxopts' listing: "  -o, --out DIR   text" or "      --check   text"; a word after the
option is the value it takes (DIR and FILE complete paths). What the positional arguments are is known per
program (below); the skill executor `run` has hand-written completions beside this file.
"""
import re
import subprocess
import sys

# What each program's positional arguments are: workflow files, skill folders, or a skill name (nothing to
# complete from the file system).
POSITIONAL = {"df-compile": "markdown", "df-deploy": "directories", "df-monitor": "none"}
# Values an option takes from a fixed set (cxxopts' help shows them only in the text).
CHOICES = {"color": ["auto", "always", "never"], "git-source": ["public", "deploy-key", "github-app"]}

OPTION = re.compile(r"^\s+(?:-(\w), )?--([a-z][a-z0-9-]*)(?:\s?\[?=?([A-Z][A-Z_]*)[^\s]*)?\s{2,}(.*)$")


def parse_help(text):
    options = []
    for line in text.splitlines():
        m = OPTION.match(line)
        if m:
            short, long, value, help_text = m.groups()
            options.append({"short": short, "long": long, "value": value, "help": help_text.strip()})
    return options


def bash(name, options):
    fn = "_" + re.sub(r"\W", "_", name)
    lines = [f"# bash completion for {name}; generated from `{name} --help` by packaging/completions.py.",
             f"{fn}() {{",
             "  local cur prev words cword",
             "  _init_completion || return",
             "  case $prev in"]
    for o in options:
        if not o["value"]:
            continue
        flags = "|".join(([f"-{o['short']}"] if o["short"] else []) + [f"--{o['long']}"])
        if o["long"] in CHOICES:
            action = f"mapfile -t COMPREPLY < <(compgen -W '{' '.join(CHOICES[o['long']])}' -- \"$cur\")"
        elif o["value"] == "DIR":
            action = "_filedir -d"
        elif o["value"] == "FILE":
            action = "_filedir"
        else:
            action = ":"
        lines.append(f"    {flags}) {action}; return ;;")
    words = " ".join(f"--{o['long']}" for o in options)
    lines += ["  esac",
              "  if [[ $cur == -* ]]; then",
              f"    mapfile -t COMPREPLY < <(compgen -W '{words}' -- \"$cur\")",
              "    return",
              "  fi"]
    positional = POSITIONAL.get(name, "none")
    if positional == "markdown":
        lines.append("  _filedir md")
    elif positional == "directories":
        lines.append("  _filedir -d")
    lines += ["}", f"complete -F {fn} {name}", ""]
    return "\n".join(lines)


def zsh_escape(text):
    return text.replace("\\", "\\\\").replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def zsh(name, options):
    lines = [f"#compdef {name}",
             f"# zsh completion for {name}; generated from `{name} --help` by packaging/completions.py.",
             "_arguments -s \\"]
    for o in options:
        desc = zsh_escape(o["help"])
        if o["value"]:
            if o["long"] in CHOICES:
                action = "(" + " ".join(CHOICES[o["long"]]) + ")"
            else:
                action = {"DIR": "_files -/", "FILE": "_files"}.get(o["value"], " ")
            spec = f"[{desc}]:{o['value'].lower()}:{action}"
        else:
            spec = f"[{desc}]"
        if o["short"]:
            lines.append(f"  '(-{o['short']} --{o['long']})'{{-{o['short']},--{o['long']}}}'{spec}' \\")
        else:
            lines.append(f"  '--{o['long']}{spec}' \\")
    positional = POSITIONAL.get(name, "none")
    if positional == "markdown":
        lines.append("  '*:workflow:_files -g \"*.md\"'")
    elif positional == "directories":
        lines.append("  '*:skill folder:_files -/'")
    else:
        lines.append("  '*: :'")
    return "\n".join(lines) + "\n"


def fish(name, options):
    lines = [f"# fish completion for {name}; generated from `{name} --help` by packaging/completions.py."]
    for o in options:
        parts = [f"complete -c {name}"]
        if o["short"]:
            parts.append(f"-s {o['short']}")
        parts.append(f"-l {o['long']}")
        if o["value"]:
            parts.append("-r")
            if o["long"] in CHOICES:
                parts.append(f"-f -a '{' '.join(CHOICES[o['long']])}'")
            elif o["value"] == "DIR":
                parts.append("-f -a '(__fish_complete_directories)'")
            elif o["value"] != "FILE":
                parts.append("-f")
        parts.append("-d '" + o["help"].replace("\\", "\\\\").replace("'", "\\'") + "'")
        lines.append(" ".join(parts))
    positional = POSITIONAL.get(name, "none")
    if positional == "directories":
        lines.append(f"complete -c {name} -f -a '(__fish_complete_directories)'")
    elif positional == "none":
        lines.append(f"complete -c {name} -f")
    return "\n".join(lines) + "\n"


def main():
    program, name, out_dir = sys.argv[1:4]
    text = subprocess.run([program, "--help"], check=True, capture_output=True, text=True).stdout
    options = parse_help(text)
    if not options:
        sys.exit(f"completions.py: error: no options found in `{program} --help`")
    for path, content in ((f"{out_dir}/{name}.bash", bash(name, options)),
                          (f"{out_dir}/_{name}", zsh(name, options)),
                          (f"{out_dir}/{name}.fish", fish(name, options))):
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)


if __name__ == "__main__":
    main()
