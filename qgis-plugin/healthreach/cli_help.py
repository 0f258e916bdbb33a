"""What the executable says about a command: its description and each long option's help text,
read from `healthreach COMMAND --help` (CLI11's layout: the description on the first line, then one
option a line, its text from column 30, or on the next line when the option's column is full)."""
import re
import subprocess

COLUMN = 30
OPTION = re.compile(r"^  (?:-\w,)?(--[a-z][a-z0-9-]*)")


class CommandHelp:
    def __init__(self, description, options):
        self.description = description
        self.options = options  # long option -> help text


def parse(text):
    lines = text.splitlines()
    options, pending = {}, None
    for line in lines:
        m = OPTION.match(line)
        if m:
            pending = None
            if len(line) > COLUMN and line[:COLUMN].endswith(" ") and line[COLUMN] != " ":
                options[m.group(1)] = line[COLUMN:].strip()
            else:
                options[m.group(1)], pending = "", m.group(1)
        elif pending and line.startswith(" " * COLUMN):
            options[pending], pending = line.strip(), None
    return CommandHelp(lines[0].strip() if lines else "", options)


def read(executable, command):
    """The command's help, or None when the executable cannot tell (absent, not runnable)."""
    if not executable:
        return None
    try:
        out = subprocess.run([executable, command, "--help"], stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse(out.stdout) if out.returncode == 0 else None
