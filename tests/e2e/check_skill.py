#!/usr/bin/env python3
"""Checks a generated skill folder the way OpenClaw and the AgentSkills rules read it.

usage: check_skill.py SKILL_DIR [EXPECT_FILE]

Always: SKILL.md frontmatter is valid YAML with exactly name, description and metadata; name equals the
folder name and is a valid slug; description is one line of at most 160 bytes; metadata is single-line JSON
with openclaw.requires; SKILL.md is UTF-8 under OpenClaw's size limit; skill.json is valid JSON naming the
same skill. With EXPECT_FILE, its lines add checks:
  name: N          the folder is named N
  json: TEXT       some string in skill.json contains TEXT byte for byte
  json-exact: T    some string in skill.json equals T (\\n means a newline)
  skill: TEXT      SKILL.md contains TEXT
  skill-not: TEXT  its body does not contain TEXT unescaped (not preceded by a backslash)
Other lines (comments, warning:, exit:) are for the calling script.
"""
import json
import os
import re
import sys

import yaml


def fail(message):
    sys.exit(f"check_skill: {message}")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def check_frontmatter(folder, text):
    if not text.startswith("---\n"):
        fail(f"{folder}/SKILL.md does not start with a --- line")
    end = text.find("\n---\n", 4)
    if end < 0:
        fail(f"{folder}/SKILL.md: unterminated frontmatter")
    block = text[4:end]
    lines = block.split("\n")
    keys = [line.split(":", 1)[0] for line in lines]
    if keys != ["name", "description", "metadata"]:
        fail(f"frontmatter lines are {keys}, expected name, description, metadata, one line each")
    data = yaml.safe_load(block)
    if not isinstance(data, dict) or sorted(data) != ["description", "metadata", "name"]:
        fail(f"frontmatter parses as {data!r}")
    name = data["name"]
    if name != os.path.basename(os.path.normpath(folder)):
        fail(f"name {name!r} differs from the folder name")
    if not isinstance(name, str) or len(name) > 64 or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        fail(f"name {name!r} is not a valid AgentSkills name")
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        fail(f"description {description!r} is empty or not a string")
    if "\n" in description or len(description.encode()) > 160:
        fail(f"description is not one line of at most 160 bytes: {description!r}")
    metadata_line = lines[2][len("metadata: "):]
    metadata = json.loads(metadata_line)
    if metadata != data["metadata"]:
        fail("metadata reads differently as YAML and as JSON")
    requires = metadata["openclaw"]["requires"]
    if not isinstance(requires.get("bins"), list) or "bash" not in requires["bins"]:
        fail(f"metadata.openclaw.requires.bins is {requires.get('bins')!r}")
    return name


def main():
    if len(sys.argv) not in (2, 3):
        fail(__doc__)
    folder = sys.argv[1]
    raw = open(os.path.join(folder, "SKILL.md"), "rb").read()
    if len(raw) > 256000:
        fail(f"SKILL.md is {len(raw)} bytes, over OpenClaw's 256,000")
    skill = raw.decode("utf-8")
    name = check_frontmatter(folder, skill)
    body = skill[skill.find("\n---\n", 4) + 5:]
    manifest = json.load(open(os.path.join(folder, "skill.json"), encoding="utf-8"))
    if manifest.get("name") != name:
        fail(f"skill.json names {manifest.get('name')!r}, SKILL.md {name!r}")
    values = list(strings(manifest))
    if len(sys.argv) == 3:
        for line in open(sys.argv[2], encoding="utf-8").read().split("\n"):
            key, _, text = line.partition(": ")
            if key == "name" and text != name:
                fail(f"folder is {name!r}, expected {text!r}")
            elif key == "json" and not any(text in v for v in values):
                fail(f"no string in skill.json contains {text!r}")
            elif key == "json-exact" and text.replace("\\n", "\n") not in values:
                fail(f"no string in skill.json equals {text!r}")
            elif key == "skill" and text not in skill:
                fail(f"SKILL.md does not contain {text!r}")
            elif key == "skill-not" and re.search(r"(?<!\\)" + re.escape(text), body):
                fail(f"the body of SKILL.md contains {text!r} as markup (not escaped)")
    print(f"ok {folder}")


main()
