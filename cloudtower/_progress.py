# coding: utf-8
"""How the helpers show progress (``show_progress=True``).

On a terminal (the stream's ``isatty()``), one line redrawn in place with
``\\r``: elapsed time and each item's state. Anywhere else (a log file, a
pipe, CI), no ``\\r`` at all: one line per change, logged at INFO on the
``cloudtower`` logger, so a log reads as a list of what happened.
"""
import logging
import os
import sys
import time

logger = logging.getLogger("cloudtower")

LABEL_WIDTH = 28


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except Exception:  # a closed or odd stream: not a terminal
        return False


def _columns():
    try:
        import shutil
        return shutil.get_terminal_size().columns
    except (AttributeError, ImportError, OSError, ValueError):  # Python 2
        try:
            return int(os.environ.get("COLUMNS", 80))
        except ValueError:
            return 80


def elapsed_text(seconds):
    """``0:07``, ``12:03``, ``1:02:03``."""
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return "%d:%02d:%02d" % (hours, minutes, seconds)
    return "%d:%02d" % (minutes, seconds)


def percent(value):
    """A task's ``progress`` (0..1, or 0..100 from some towers) as a whole percent; None if unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(round(value if value > 1.0 else value * 100.0))


def _short(text, width=LABEL_WIDTH):
    text = " ".join(("%s" % text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


class Reporter(object):
    """A line redrawn on a terminal, or INFO log lines elsewhere.

    ``stream`` defaults to ``sys.stderr`` (as it is when the reporter is
    made); ``clock`` to ``time.time``; ``tty`` overrides the stream's own answer.
    """

    def __init__(self, stream=None, clock=None, tty=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else bool(tty)
        self.clock = clock or time.time
        self.started = self.clock()
        self._drawn = 0
        self._logged = None

    def elapsed(self):
        return elapsed_text(self.clock() - self.started)

    def draw(self, text):
        """Redraw the terminal line (cut to the terminal's width)."""
        width = max(20, _columns() - 1)
        if len(text) > width:
            text = text[:width - 3] + "..."
        pad = max(0, self._drawn - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._drawn = len(text)

    def log(self, key, message, *args):
        """Log ``message`` at INFO unless ``key`` is what was logged last."""
        if key == self._logged:
            return
        self._logged = key
        logger.info(message, *args)

    def close(self):
        """End the terminal line."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0


class TaskProgress(Reporter):
    """Progress of ``wait_tasks``: ``update(done, total, tasks)`` after each poll,
    ``tasks`` being the latest ``Task`` seen of each id (finished or not)."""

    def __init__(self, **options):
        super(TaskProgress, self).__init__(**options)
        self._states = {}

    @staticmethod
    def state(task):
        shown = percent(task.progress)
        if task.status == "EXECUTING" and shown is not None:
            return "%d%%" % shown
        return "%s" % (task.status or "?")

    def update(self, done, total, tasks):
        if self.tty:
            parts = ["tasks %d/%d finished, %s" % (done, total, self.elapsed())]
            for task in tasks:
                parts.append("%s %s" % (_short(task.description or task.id), self.state(task)))
            self.draw(" | ".join(parts))
            return
        for task in tasks:
            state = self.state(task)
            if self._states.get(task.id) == state:
                continue
            self._states[task.id] = state
            logger.info("task %s (%s): %s [%d/%d finished, %s elapsed]", task.id,
                        task.description or "no description", state, done, total, self.elapsed())


class UploadProgress(Reporter):
    """Progress of an upload: ``update(sent, total)`` after each chunk; logged
    when the whole percent changes."""

    def __init__(self, name, **options):
        super(UploadProgress, self).__init__(**options)
        self.name = name

    def update(self, sent, total):
        share = 100 * sent // max(total, 1)
        if self.tty:
            seconds = max(self.clock() - self.started, 1e-6)
            self.draw("%s: %d%% (%d of %d bytes), %s, %.1f MiB/s" % (
                self.name, share, sent, total, self.elapsed(), sent / seconds / 1048576.0))
            return
        self.log(share, "upload of %s: %d%% (%d of %d bytes, %s elapsed)", self.name, share, sent,
                 total, self.elapsed())


class StateProgress(Reporter):
    """Progress of ``wait_until``: ``update(summary)`` after each poll; logged
    when the summary changes."""

    def __init__(self, what, **options):
        super(StateProgress, self).__init__(**options)
        self.what = what

    def update(self, summary):
        if self.tty:
            self.draw("waiting until %s: %s, %s" % (self.what, summary, self.elapsed()))
            return
        self.log(summary, "waiting until %s: %s (%s elapsed)", self.what, summary, self.elapsed())
