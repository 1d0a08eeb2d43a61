"""LibreOffice Calc, headless, doing what an office clerk does with a sheet: open a file
(a CSV through Calc's CSV import, as a double-click does), type into cells, save in
another format. scripts/test installs Debian's `libreoffice-calc-nogui` when it is
missing; a test that needs Calc fails, never skips, without it.

Typing goes through Calc's own input handling (the `.uno:EnterString` command a key
press ends in), so a cell formatted as text keeps 16 typed digits and a General cell
turns them into a number, exactly as at the keyboard; `setString` would write text
whatever the cell's format and prove nothing. The steps run as a Basic macro in a
throwaway profile (`-env:UserInstallation`), one Calc start for a whole job; Calc
needs no network and no display.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 120  # seconds for one Calc run; a start takes a few


class CalcUnavailable(RuntimeError):
    """LibreOffice Calc is not installed."""


def soffice() -> str:
    """The LibreOffice program itself (soffice.bin: the `soffice` wrapper can hang after
    a crash of the program it starts, and would keep the test waiting)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise CalcUnavailable("soffice not found: install Debian's libreoffice-calc-nogui "
                              "package (scripts/test does it)")
    program = Path(os.path.realpath(found)).with_name("soffice.bin")
    return str(program) if program.exists() else found


# One step per line, fields separated by tabs:
#   open PATH [FILTER-OPTIONS]   type CELL TEXT   save PATH FILTER [FILTER-OPTIONS]   close
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Function Prop(key As String, value As Variant) As Object
  Dim p As New com.sun.star.beans.PropertyValue
  p.Name = key
  p.Value = value
  Prop = p
End Function

Sub Run(job As String)
  Dim doc As Object, disp As Object, frame As Object
  Dim n As Integer, lg As Integer, s As String, at As String, f() As String
  On Error Goto Failed
  lg = FreeFile
  Open job &amp; ".log" For Output As #lg
  n = FreeFile
  Open job For Input As #n
  disp = createUnoService("com.sun.star.frame.DispatchHelper")
  Do While Not EOF(n)
    Line Input #n, s
    at = s
    f = Split(s, Chr(9))
    Select Case f(0)
      Case "open"
        If UBound(f) &gt;= 2 Then
          doc = StarDesktop.loadComponentFromURL(ConvertToURL(f(1)), "_blank", 0, _
            Array(Prop("Hidden", True), Prop("FilterOptions", f(2))))
        Else
          doc = StarDesktop.loadComponentFromURL(ConvertToURL(f(1)), "_blank", 0, _
            Array(Prop("Hidden", True)))
        End If
        frame = doc.getCurrentController().getFrame()
      Case "type"
        disp.executeDispatch(frame, ".uno:GoToCell", "", 0, Array(Prop("ToPoint", f(1))))
        disp.executeDispatch(frame, ".uno:EnterString", "", 0, Array(Prop("StringName", f(2))))
      Case "save"
        If UBound(f) &gt;= 3 Then
          doc.storeToURL(ConvertToURL(f(1)), Array(Prop("FilterName", f(2)), Prop("FilterOptions", f(3))))
        Else
          doc.storeToURL(ConvertToURL(f(1)), Array(Prop("FilterName", f(2))))
        End If
      Case "close"
        doc.close(True)
    End Select
    Print #lg, "ok " &amp; at
  Loop
  Close #n
  Print #lg, "done"
  Close #lg
  Exit Sub
Failed:
  Print #lg, "error " &amp; Err &amp; ": " &amp; Error$ &amp; " in step: " &amp; at
  Close #lg
End Sub
</script:module>
"""

CSV_IMPORT = "44,34,76,1"  # Calc's CSV import as a double-click offers it: comma, ", UTF-8, from line 1
CSV_FILTER = "Text - txt - csv (StarCalc)"
XLSX_FILTER = "Calc MS Excel 2007 XML"
ODS_FILTER = "calc8"


class Calc:
    """A throwaway LibreOffice profile in `folder`, and the jobs run in it."""

    def __init__(self, folder: Path) -> None:
        self.program = soffice()
        self.folder = folder
        self.profile = folder / "profile"
        self.home = folder / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        # The first start lays out the profile (and its empty macro library), then the
        # macro goes in: written before, it would be replaced by the default one.
        self._soffice("--terminate_after_init")
        module = self.profile / "user" / "basic" / "Standard" / "Module1.xba"
        if not module.parent.is_dir():
            raise CalcUnavailable(f"LibreOffice made no profile in {self.profile}")
        module.write_text(_MACRO, encoding="utf-8")

    def run(self, steps: Sequence[Sequence[str]]) -> list[str]:
        """Run the steps in one Calc start; return its log; raise if a step failed."""
        job = self.folder / "job.txt"
        log = Path(f"{job}.log")
        log.unlink(missing_ok=True)
        for step in steps:
            assert all("\t" not in part and "\n" not in part for part in step), step
        job.write_text("".join("\t".join(step) + "\n" for step in steps), encoding="utf-8")
        self._soffice(f'macro:///Standard.Module1.Run("{job}")')
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if lines[-1:] != ["done"]:
            raise AssertionError(f"LibreOffice did not finish the job: {lines or 'no log'}")
        return lines

    def _soffice(self, *args: str) -> None:
        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": "C.UTF-8", "SAL_USE_VCLPLUGIN": "svp"}
        argv = [self.program, f"-env:UserInstallation=file://{self.profile}", "--headless",
                "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck", *args]
        process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session: Calc and its helpers
            process.communicate()
            raise AssertionError(f"LibreOffice did not finish within {TIMEOUT} s: {argv}") from None
        if process.returncode != 0:
            raise AssertionError(f"LibreOffice exited {process.returncode}: "
                                 f"{output.decode(errors='replace')[-500:]}")
