#!/usr/bin/env python3
# Checks the syntax of a udev rules file the way udev parses it (systemd 252
# has no `udevadm verify`), and that data/60-senxor.rules does what
# docs/permissions.md says.
# SPDX-License-Identifier: LGPL-2.1-or-later
"""usage: check-udev-rules.py RULES_FILE [--senxor]"""

import re
import sys

# key -> (takes an {attribute}, allowed operators)
MATCH = ("==", "!=")
ASSIGN = ("=", "+=", "-=", ":=")
KEYS = {
    "ACTION": (False, MATCH),
    "DEVPATH": (False, MATCH),
    "KERNEL": (False, MATCH),
    "KERNELS": (False, MATCH),
    "NAME": (False, MATCH + ASSIGN),
    "SYMLINK": (False, MATCH + ASSIGN),
    "SUBSYSTEM": (False, MATCH),
    "SUBSYSTEMS": (False, MATCH),
    "DRIVER": (False, MATCH),
    "DRIVERS": (False, MATCH),
    "DEVTYPE": (False, MATCH),
    "TAG": (False, MATCH + ASSIGN),
    "TAGS": (False, MATCH),
    "ATTR": (True, MATCH + ASSIGN),
    "ATTRS": (True, MATCH),
    "SYSCTL": (True, MATCH + ASSIGN),
    "ENV": (True, MATCH + ASSIGN),
    "CONST": (True, MATCH),
    # udev takes "=" for these as "==" (the match succeeds when the import
    # or program does)
    "TEST": (None, MATCH + ("=",)),
    "PROGRAM": (False, MATCH + ("=",)),
    "RESULT": (False, MATCH),
    "IMPORT": (True, MATCH + ("=",)),
    "OWNER": (False, ASSIGN),
    "GROUP": (False, ASSIGN),
    "MODE": (False, ASSIGN),
    "SECLABEL": (True, ASSIGN),
    "OPTIONS": (False, ASSIGN),
    "RUN": (None, ASSIGN),
    "LABEL": (False, ("=",)),
    "GOTO": (False, ("=",)),
}
# keys whose rule does something even as a match
ACTING = ("IMPORT", "PROGRAM")
ITEM = re.compile(r'\s*([A-Z]+)(\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
SUBST = re.compile(r"\$(env\{[^}]+\}|attr\{[^}]+\}|kernel|number|devpath|id|driver|"
                   r"major|minor|result(\{[^}]*\})?|parent|name|links|root|sys|devnode|\$|"
                   r"tempnode)|%[knpbMmcPNrSs%]")


def logical_lines(text):
    """Joins backslash continuations, drops comments and blank lines;
    yields (first line number, text)."""
    buf, start = "", None
    for no, line in enumerate(text.split("\n"), 1):
        if start is None:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = no
        if line.endswith("\\"):
            buf += line[:-1]
            continue
        buf += line
        yield start, buf
        buf, start = "", None
    if start is not None:
        raise SyntaxError(f"line {start}: continuation at the end of the file")


def parse_rule(no, line):
    items, pos = [], 0
    while pos < len(line):
        m = ITEM.match(line, pos)
        if not m:
            raise SyntaxError(f"line {no}: cannot parse near '{line[pos:pos + 30]}'")
        key, _, attr, op, value = m.groups()
        if key not in KEYS:
            raise SyntaxError(f"line {no}: unknown key {key}")
        wants_attr, ops = KEYS[key]
        if wants_attr is True and attr is None:
            raise SyntaxError(f"line {no}: {key} needs an {{attribute}}")
        if wants_attr is False and attr is not None:
            raise SyntaxError(f"line {no}: {key} takes no {{attribute}}")
        if op not in ops:
            raise SyntaxError(f"line {no}: {key} does not take '{op}'")
        i = 0
        while i < len(value):
            if value[i] in "$%":
                m_sub = SUBST.match(value, i)
                if not m_sub:
                    raise SyntaxError(f"line {no}: bad substitution in '{value}'")
                i = m_sub.end()
            else:
                i += 1
        items.append((key, attr, op, value))
        pos = m.end()
        if pos < len(line):
            if line[pos] != ",":
                raise SyntaxError(f"line {no}: expected ',' near '{line[pos:pos + 30]}'")
            pos += 1
    if not items:
        raise SyntaxError(f"line {no}: empty rule")
    return items


def check(path, senxor):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rules = [(no, parse_rule(no, line)) for no, line in logical_lines(text)]
    labels = {v for _, r in rules for k, _, _, v in r if k == "LABEL"}
    for no, r in rules:
        for k, _, _, v in r:
            if k == "GOTO" and v not in labels:
                raise SyntaxError(f"line {no}: GOTO {v} has no LABEL")
        if not any(op in ASSIGN or k in ACTING for k, _, op, _ in r):
            raise SyntaxError(f"line {no}: a rule that assigns nothing does nothing")
    print(f"{path}: {len(rules)} rules, syntax ok")
    if not senxor:
        return

    def rule_with(*pairs):
        for no, r in rules:
            flat = {(k, a, op, v) for k, a, op, v in r}
            if all(p in flat for p in pairs):
                return r
        raise AssertionError(f"no rule with {pairs}")

    def index_of(rule):
        return [r for _, r in rules].index(rule)

    tty = rule_with(("SUBSYSTEM", None, "==", "tty"), ("ATTRS", "idVendor", "==", "0416"))
    pids = next(v for k, a, _, v in tty if k == "ATTRS" and a == "idProduct")
    assert set(pids.split("|")) == {"b002", "b020", "9393"}, pids
    for want in (("TAG", None, "+=", "uaccess"), ("GROUP", None, "=", "dialout"),
                 ("MODE", None, "=", "0660"), ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1")):
        assert want in tty, f"the tty rule lacks {want}"
    # the links use properties that udev's builtins set: they must have run
    # (60-serial.rules imports them too late for a file named 60-senxor)
    for builtin, prop in (("usb_id", "ID_SERIAL_SHORT"), ("path_id", "ID_PATH_TAG")):
        link = rule_with(("SYMLINK", None, "+=", f"senxor{'/by-path' if builtin == 'path_id' else ''}/$env{{{prop}}}"))
        imp = rule_with(("IMPORT", "builtin", "=", builtin))
        assert index_of(imp) < index_of(link), f"{builtin} is imported after the link using {prop}"
    usb = rule_with(("SUBSYSTEM", None, "==", "usb"), ("ATTR", "idVendor", "==", "0416"))
    assert ("TAG", None, "+=", "uaccess") in usb
    print(f"{path}: the Senxor rules are all there")


BAD = [
    'SUBSYSTEM="tty", GROUP="dialout"',             # '=' is not a match
    'SUBSYSTEM=="tty" GROUP="dialout"',             # missing comma
    'ATTRS=="0416", GROUP="dialout"',               # ATTRS without {attribute}
    'SUBSYSTEM=="tty", GRUOP="dialout"',            # unknown key
    'SUBSYSTEM=="tty", GROUP=="dialout"',           # GROUP is assigned, not matched
    'SUBSYSTEM=="tty", SYMLINK+="x/$env{ID"',       # broken substitution
    'SUBSYSTEM=="tty", GROUP="dialout',             # unterminated quote
    'SUBSYSTEM=="tty"',                             # assigns nothing
    'GOTO="nowhere"',                               # no such LABEL
]


def self_test():
    """The checker must reject each of BAD and accept a good rule."""
    import os
    import tempfile
    good = 'SUBSYSTEM=="tty", ATTRS{idVendor}=="0416", TAG+="uaccess"\n'
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.rules")
        with open(path, "w", encoding="utf-8") as f:
            f.write(good)
        check(path, False)
        for bad in BAD:
            with open(path, "w", encoding="utf-8") as f:
                f.write("# comment\n" + good + bad + "\n")
            try:
                check(path, False)
            except SyntaxError as e:
                print(f"rejected as expected: {bad!r}: {e}")
                continue
            raise AssertionError(f"accepted a broken rule: {bad!r}")
    # and it accepts every rules file the system's udev runs with
    import glob
    system = sorted(set(glob.glob("/usr/lib/udev/rules.d/*.rules") +
                        glob.glob("/lib/udev/rules.d/*.rules")))
    for path in system:
        check(path, False)
    print(f"{len(system)} system rules files accepted")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        check(sys.argv[1], "--senxor" in sys.argv[2:])
    except (SyntaxError, AssertionError) as e:
        print(f"{sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
