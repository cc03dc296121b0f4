"""A command run in the background, its standard error read line by line as it comes.

Each pipe has a reader thread of its own: `communicate` would read standard error too, racing
the line reader and taking lines away from `log`."""

import re
import subprocess
import threading
import time


class Background:
    def __init__(self, argv, env=None, cwd=None):
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.stderr, self.seen, self._stdout = [], threading.Condition(), []
        self._readers = [threading.Thread(target=self._read_stderr, daemon=True),
                         threading.Thread(target=lambda: self._stdout.append(self.process.stdout.read()), daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self):
        for line in self.process.stderr:
            with self.seen:
                self.stderr.append(line)
                self.seen.notify_all()
        with self.seen:
            self.stderr.append(None)  # end of output
            self.seen.notify_all()

    @property
    def log(self) -> str:
        return "".join(filter(None, self.stderr))

    def await_match(self, pattern: str, deadline_s: float = 120) -> re.Match:
        """The first standard-error line matching `pattern`; the deadline holds however many other lines come."""
        compiled, deadline, index = re.compile(pattern), time.monotonic() + deadline_s, 0
        with self.seen:
            while True:
                while index < len(self.stderr):
                    line = self.stderr[index]
                    assert line is not None, f"the process ended without printing {pattern}: {self.log[-2000:]}"
                    if match := compiled.search(line):
                        return match
                    index += 1
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no line matching {pattern} in {deadline_s} s: {self.log[-2000:]}"
                self.seen.wait(timeout=remaining)

    def finish(self, deadline_s: float = 120):
        """Waits for the process and both readers to end; returns (exit code, standard output)."""
        self.process.wait(timeout=deadline_s)
        for reader in self._readers:
            reader.join(timeout=deadline_s)
        return self.process.returncode, "".join(self._stdout)
