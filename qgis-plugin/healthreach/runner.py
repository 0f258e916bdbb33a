"""Runs the healthreach executable: its progress bar feeds the feedback's, cancelling ends the
process, its error message becomes the algorithm's error."""
import codecs
import os
import queue
import re
import shutil
import signal
import subprocess
import threading

from qgis.core import QgsProcessingException

EXECUTABLE_SETTING = "HEALTHREACH_EXECUTABLE"
# Where `scripts/setup.sh` installs it; a desktop session's PATH may lack /usr/local/bin.
INSTALLED = "/usr/local/bin/healthreach"


def find_executable(configured):
    """The executable: the Processing setting when set, else `healthreach` on PATH, else the installed one."""
    if configured:
        return configured
    return shutil.which("healthreach") or (INSTALLED if os.access(INSTALLED, os.X_OK) else None)


class ProgressParser:
    """Reads the CLI's stderr: a GDAL-style bar ("coverage: 0...10...20 ... 100 - done.", 40 steps of
    2.5 %, see progress_bar in tools/cli.cpp) interleaved with message lines. A message printed while
    the bar runs ends the bar's line; the bar goes on at the start of the next line after the message.
    """
    DONE = " - done."

    def __init__(self, label):
        self.label = label + ": " if label else None
        self.steps = 0          # steps of the bar printed, 0..40
        self.state = "before" if label else "none"  # before the bar, in it, after it (or none at all)
        self.pending = ""       # the line read so far

    def _scan(self, line):
        """Reads the bar at the start of `line`: (steps, state, rest of the line)."""
        steps, state, i = self.steps, self.state, 0
        if state == "before" and line.startswith(self.label):
            state, i = "in", len(self.label)
        elif state != "in":
            return steps, state, line
        while i < len(line):
            if line[i] == ".":
                steps, i = steps + 1, i + 1
                continue
            m = re.match(r"\d+", line[i:])
            if not m:
                break
            value = int(m.group())
            if value % 10 or value * 4 // 10 < steps:
                break  # not the bar's next figure: a message
            steps, i = value * 4 // 10, i + len(m.group())
        rest = line[i:]
        if rest.startswith(self.DONE):
            state, rest = "after", rest[len(self.DONE):]
        return steps, state, rest

    def feed(self, text):
        """Adds stderr text; returns the complete message lines it ended."""
        self.pending += text
        messages = []
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self.steps, self.state, rest = self._scan(line)
            if rest.strip():
                messages.append(rest)
        return messages

    def percent(self):
        """The bar's position, the line being written included."""
        steps = self._scan(self.pending)[0] if self.pending else self.steps
        return min(100.0, steps * 2.5)


ERROR = re.compile(r"^healthreach [a-z-]+: (error|failure): (.*)$")


def run(executable, args, feedback, stdout_path, label, describe_error):
    """Runs `executable args`, stdout to `stdout_path`, stderr to the feedback. Returns normally when
    the run succeeded; raises QgsProcessingException with the CLI's message otherwise, or when the
    feedback is cancelled (the process is ended with SIGTERM: the CLI removes its temporary files)."""
    feedback.pushCommandInfo(" ".join(quote(a) for a in [executable] + args))
    try:
        with open(stdout_path, "wb") as out:
            proc = subprocess.Popen([executable] + args, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.PIPE)
    except OSError as e:
        raise QgsProcessingException(f"cannot run the healthreach executable {executable}: {e.strerror}")

    chunks = queue.Queue()

    def read_stderr():
        fd = proc.stderr.fileno()
        while True:
            data = os.read(fd, 4096)
            chunks.put(data)
            if not data:
                return

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    bar = ProgressParser(label)
    errors, cancelled, ended = [], False, False
    while not ended:
        if feedback.isCanceled() and not cancelled:
            cancelled = True
            proc.send_signal(signal.SIGTERM)
        try:
            data = chunks.get(timeout=0.1)
        except queue.Empty:
            continue
        ended = not data
        for line in bar.feed(decoder.decode(data, final=ended) + ("\n" if ended else "")):
            m = ERROR.match(line)
            if m:
                errors.append(m.group(2))
                feedback.reportError(line)
            elif line.startswith("warning: "):
                feedback.pushWarning(line)
            else:
                feedback.pushInfo(line)
        if label:
            feedback.setProgress(bar.percent())
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    reader.join()
    proc.stderr.close()
    if code == 0:
        return  # also when the cancel came too late: the outputs are complete
    if cancelled:
        raise QgsProcessingException("Cancelled: healthreach was stopped (it removes its unfinished files)")
    if errors:
        raise QgsProcessingException(describe_error(errors[-1]))
    if code < 0:
        raise QgsProcessingException(f"healthreach ended by signal {-code}")
    raise QgsProcessingException(f"healthreach failed (exit {code}); see the log")


def quote(arg):
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"
