"""Issue 11 item 9: drawing the deck's charts with Chromium reaches nothing outside the machine and
leaves nothing in the user's home: every socket connect of the browser's processes is traced."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ksln_metrics.present.figure_images import find_chromium

ROOT = Path(__file__).resolve().parents[2]
DRAW = """
import plotly.graph_objects as go
from ksln_metrics.present.figure_images import figures_png
[png] = figures_png([go.Figure(go.Scattergeo(lon=[106.1], lat=[-6.1], text=["Serang"]))])
assert png.startswith(b"\\x89PNG"), png[:8]
print("drawn")
"""
ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


@pytest.mark.skipif(find_chromium() is None or shutil.which("strace") is None,
                    reason="needs Chromium and strace (.ci/run installs both)")
def test_drawing_a_map_connects_to_nothing_outside_and_writes_nothing_at_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    trace = tmp_path / "trace"
    # Its own temporary directory, as other test processes draw charts at the same time (a short path: Chromium's
    # profile holds a unix socket, whose path must stay under 108 bytes).
    temp = Path(tempfile.mkdtemp(prefix="ksln-uji-"))
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    try:
        run = subprocess.run(["strace", "-f", "-ff", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace),
                              sys.executable, "-c", DRAW], env=env, capture_output=True, text=True, timeout=240)
        left = list(temp.glob("ksln-chromium-*"))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    assert run.returncode == 0 and "drawn" in run.stdout, run.stderr[-2000:]
    attempts, outside = [], []
    for log in tmp_path.glob("trace.*"):
        for line in log.read_text(errors="replace").splitlines():
            found = ADDRESS.search(line)
            if not found:
                continue
            address = ipaddress.ip_address(found.group(1) or found.group(2))
            if address.is_loopback or address.is_unspecified:
                continue
            attempts.append(line)
            # A connect that succeeded (or is under way) or a datagram sent: something could leave.
            if line.rstrip().endswith(("= 0", "EINPROGRESS (Operation now in progress)")) or "sendto(" in line:
                outside.append(line)
    assert not outside, "\n".join(outside)
    assert not any("htons(53)" in line for line in attempts), "a DNS query was attempted"
    assert list(home.iterdir()) == []  # no ~/.config/chromium/Crash Reports, no ~/.cache/dconf
    assert left == []  # the private profile is removed
