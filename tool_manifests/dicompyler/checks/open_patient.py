#!/usr/bin/env python3
"""dicompyler (bastula/dicompyler 0.5.0, wxPython) opens a DICOM-RT patient; report
what its GUI shows, as one JSON object on stdout.

    python open_patient.py FIXTURE_DIR OUTPUT_DIR

FIXTURE_DIR holds CT_*.dcm, RS.dcm, RP.dcm, RD.dcm (read-only).  The dicompyler
source tree (checkout root, *unpatched*) is found through $RTCOMPAT_TOOL_HOME.
Run under a display, e.g. xvfb-run -a -s "-screen 0 1280x1024x24".

What is driven, all through dicompyler's own code on the real wx event loop:
  1. dicompyler.main.dicompyler (its wx.App) -> OnInit builds MainFrame as
     dicompyler.main.start() does.
  2. preference 'general.dicom.import_location' := copy of the fixture
     (pubsub 'preferences.updated.value', as MainFrame.OnActivate does for argv).
  3. MainFrame.OnOpenPatient -> modal DicomImporterDialog; once its directory
     search thread is done and the tree has a selected item, press OK.
  4. wait for 'patient.updated.parsed_data'; tick every structure (and isodose)
     checkbox; for each structure select it in the main window's structure
     choice and read the main window labels (volume, min, max, mean dose);
     drive the DVH plugin's constraint choice/slider and read its readouts.
  5. screenshot of the main frame (DVH tab) -> OUTPUT_DIR/screenshot.png.

Only values dicompyler displays are reported (label text parsed); nothing is
computed here.  The DVH levels come from the fixture's points.json (what a person
would type in), never from its truth.  Exceptions dicompyler raises while doing so
are what a user meets too: the values they keep from the screen are not reported
(each with the exception under "_errors"), the rest are.  Exit codes: 0 the patient
loaded, 2 dicompyler did not start or did not load the patient, 3 watchdog
(whatever was collected is printed).
Diagnostics (importer tree, every label read, full tracebacks) go to
OUTPUT_DIR/raw.json; stderr carries progress and dicompyler's console log.
"""
import collections
import collections.abc
import glob
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import traceback

T0 = time.time()
ATTEMPT = int(os.environ.get('OPEN_PATIENT_ATTEMPT', '1'))
# one overall deadline across re-executions (see the wx.App retry below)
DEADLINE = float(os.environ.get('OPEN_PATIENT_DEADLINE') or
                 T0 + float(os.environ.get('OPEN_PATIENT_TIMEOUT', '240')))
TIMEOUT = max(5.0, DEADLINE - T0)
ORIG_ARGV = [sys.executable, os.path.abspath(sys.argv[0])] + sys.argv[1:]

if len(sys.argv) != 3:
    sys.stderr.write(__doc__)
    sys.exit(2)
FIXTURE = os.path.abspath(sys.argv[1])
OUTDIR = os.path.abspath(sys.argv[2])
os.makedirs(OUTDIR, exist_ok=True)

# stdout carries exactly one JSON object: keep the real stdout aside and send
# everything else (dicompyler's console logger, GTK, prints) to stderr.
_JSON_FD = os.dup(1)
os.dup2(2, 1)

OBS = {}          # observations in the project's vocabulary
ERRORS = {}       # key -> reason
NOTES = []        # harness-side shims / interpretation notes
RAW = {'steps': [], 'dicompyler_exceptions': []}   # diagnostics -> raw.json
STATE = {'parsed': None, 'ok_pressed': False, 'done': False,
         'importer_seen': None, 'progress_done_at': None}
_LOCK = threading.Lock()
_EMITTED = []
_XVFB = []       # our own Xvfb, if the given display was unusable


def step(msg):
    RAW['steps'].append('%.2fs %s' % (time.time() - T0, msg))
    print('[open_patient] ' + msg, file=sys.stderr, flush=True)


def emit(code):
    """Print the JSON object once and hard-exit (wx/GTK teardown can hang)."""
    with _LOCK:
        if _EMITTED:
            return
        _EMITTED.append(code)
        try:
            out = dict(OBS)
            out['_errors'] = dict(ERRORS)
            out['_notes'] = list(NOTES)
            out['_exit_code'] = code
            txt = json.dumps(out, default=str, sort_keys=False)
        except Exception:
            txt = json.dumps({'_errors': {'harness': traceback.format_exc()},
                              '_exit_code': code})
        try:
            with open(os.path.join(OUTDIR, 'raw.json'), 'w') as fh:
                json.dump(RAW, fh, indent=1, default=str)
        except Exception:
            pass
        os.write(_JSON_FD, (txt + '\n').encode())
    if _XVFB:
        try:
            _XVFB[0].kill()
        except Exception:
            pass
    os._exit(code)


def watchdog():
    time.sleep(TIMEOUT)
    ERRORS['_watchdog'] = ('watchdog: no result after %.0f s; last step: %s'
                           % (TIMEOUT, RAW['steps'][-1] if RAW['steps'] else '-'))
    emit(3)


threading.Thread(target=watchdog, daemon=True).start()

# ------------------------------------------------------------ environment
WORK = os.path.join(OUTDIR, 'work')
HOME = os.path.join(WORK, 'home')
PATIENT = os.path.join(WORK, 'patient')
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(HOME)
os.makedirs(PATIENT)
os.environ['HOME'] = HOME
for var, sub in (('XDG_CONFIG_HOME', '.config'), ('XDG_DATA_HOME', '.local/share'),
                 ('XDG_CACHE_HOME', '.cache'), ('XDG_STATE_HOME', '.local/state'),
                 ('MPLCONFIGDIR', '.config/matplotlib')):
    os.environ[var] = os.path.join(HOME, sub)
    os.makedirs(os.environ[var], exist_ok=True)
os.environ.setdefault('XDG_RUNTIME_DIR', os.path.join(WORK, 'runtime'))
os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)
os.environ['NO_AT_BRIDGE'] = '1'

# dicompyler's importer scans a whole directory; give it only the DICOM files
# (a private copy: the fixture dir is read-only and must not be written to).
dcm = sorted(glob.glob(os.path.join(FIXTURE, '*.dcm')))
for f in dcm:
    shutil.copy2(f, PATIENT)
NOTES.append('the fixture\'s %d *.dcm files were copied to %s and that directory '
             'was given to dicompyler\'s importer (other files are not copied)'
             % (len(dcm), PATIENT))
NOTES.append('HOME/XDG_* point to %s (dicompyler writes its preferences, logs '
             'and user plugin dir there)' % HOME)

TOOL_HOME = os.environ.get('RTCOMPAT_TOOL_HOME')
if not TOOL_HOME or not os.path.isdir(os.path.join(TOOL_HOME, 'dicompyler')):
    ERRORS['startup'] = 'RTCOMPAT_TOOL_HOME (dicompyler checkout root) not set or invalid: %r' % TOOL_HOME
    emit(2)
sys.path.insert(0, os.path.abspath(TOOL_HOME))
# MainFrame.OnActivate opens the importer itself when len(sys.argv) == 2
sys.argv = ['dicompyler']

# Harness-side shims (no dicompyler file is changed):
if 'WXSUPPRESS_SIZER_FLAGS_CHECK' not in os.environ:
    os.environ['WXSUPPRESS_SIZER_FLAGS_CHECK'] = '1'
NOTES.append('env WXSUPPRESS_SIZER_FLAGS_CHECK=1: without it wxWidgets 3.2 asserts '
             'on the sizer flags of dicompyler/main.py:134 (wx.EXPAND|wx.ALIGN_CENTRE) '
             'and the main frame is not built')
if not hasattr(collections, 'Callable'):
    collections.Callable = collections.abc.Callable
    NOTES.append('collections.Callable aliased to collections.abc.Callable: '
                 'dicompyler-core 0.5.6 dicompylercore/util.py:135 uses it '
                 '(removed in Python 3.10)')



def display_ok():
    """Can GTK/wx open $DISPLAY?  (Checked in a child process: a failed
    wx.App cannot be retried in-process.)  Shared /tmp between containers
    makes `xvfb-run -a` occasionally hand out a display GTK cannot use."""
    if not os.environ.get('DISPLAY'):
        return False
    try:
        r = subprocess.run([sys.executable, '-c', 'import wx; wx.App(0)'],
                           capture_output=True, timeout=60)
        return r.returncode == 0
    except Exception:
        return False


def own_xvfb():
    """Start Xvfb on a random high display number (low numbers may be served by
    another container's Xvfb reachable through the shared abstract X socket)."""
    import random
    if not shutil.which('Xvfb'):
        return False
    for _ in range(3):
        n = random.randint(20000, 60000)
        if os.path.exists('/tmp/.X%d-lock' % n) or os.path.exists('/tmp/.X11-unix/X%d' % n):
            continue
        proc = subprocess.Popen(['Xvfb', ':%d' % n, '-screen', '0', '1280x1024x24',
                                 '-nolisten', 'tcp'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _XVFB[:] = [proc]
        os.environ['DISPLAY'] = ':%d' % n
        os.environ.pop('XAUTHORITY', None)
        t_end = time.time() + 15
        while time.time() < t_end and proc.poll() is None \
                and not os.path.exists('/tmp/.X11-unix/X%d' % n):
            time.sleep(0.1)
        if proc.poll() is None and display_ok():
            return True
        proc.kill()
    return False


if not display_ok():
    bad = os.environ.get('DISPLAY')
    if own_xvfb():
        NOTES.append('the display given (%r) could not be opened by GTK; the check '
                     'started its own Xvfb on %s' % (bad, os.environ['DISPLAY']))
    else:
        ERRORS['startup'] = 'no usable X display (DISPLAY=%r) and starting Xvfb failed' % bad
        emit(2)

try:
    import wx
    from wx.lib.pubsub import pub   # the pubsub instance dicompyler uses
    import dicompyler
    import dicompyler.main as dmain
    from dicompyler import dicomgui, guiutil
except Exception:
    ERRORS['startup'] = 'import failed: ' + traceback.format_exc(limit=-3)
    emit(2)

try:
    import matplotlib, numpy, pydicom, dicompylercore   # noqa: E401
    RAW['versions'] = {
        'dicompyler': dicompyler.__version__, 'dicompyler_src': os.path.dirname(dicompyler.__file__),
        'python': sys.version.split()[0], 'wx': wx.version(),
        'matplotlib': matplotlib.__version__, 'numpy': numpy.__version__,
        'pydicom': pydicom.__version__, 'dicompyler-core': dicompylercore.__version__}
    OBS['dicompyler.versions'] = RAW['versions']
    try:
        rev = subprocess.run(['git', '-C', TOOL_HOME, 'rev-parse', 'HEAD'],
                             capture_output=True, text=True, timeout=10)
        if rev.returncode == 0:
            OBS['dicompyler.versions']['dicompyler_commit'] = rev.stdout.strip()
    except Exception:
        pass
except Exception:
    pass


# ------------------------------------------------------------ helpers
def on_exception(msg):   # dicompyler's sys.excepthook publishes here
    RAW['dicompyler_exceptions'].append(msg)


def on_parsed(msg):
    STATE['parsed'] = msg


pub.subscribe(on_exception, 'logging.exception')


class PluginLoadLog(logging.Handler):
    """dicompyler.plugin logs "<module> could not be loaded" with the ImportError and
    goes on without the plugin: collect which, and why."""
    def emit(self, record):
        if record.exc_info and record.args:
            module = str(record.args[0])
            FAILED_PLUGINS[module] = exc_summary(''.join(traceback.format_exception(*record.exc_info)))


FAILED_PLUGINS = {}
logging.getLogger('dicompyler.plugin').addHandler(PluginLoadLog(level=logging.ERROR))
pub.subscribe(on_parsed, 'patient.updated.parsed_data')


def exc_summary(tb):
    """'TypeError: ... at baseplugins/dvh.py:235 (OnToggleConstraints)'"""
    lines = [l for l in tb.strip().splitlines() if l.strip()]
    last = lines[-1].strip() if lines else tb
    where = ''
    for l in lines:
        m = re.match(r'\s*File "(.+)", line (\d+), in (\S+)', l)
        if m:
            path = m.group(1)
            if '/dicompyler/' in path:
                path = path.split('/dicompyler/')[-1]
            where = '%s:%s (%s)' % (path, m.group(2), m.group(3))
    return last + (' at ' + where if where else '')


def new_exceptions(since):
    return RAW['dicompyler_exceptions'][since:]


def fire(win, evtype, intval=None):
    ev = wx.CommandEvent(evtype, win.GetId())
    ev.SetEventObject(win)
    if intval is not None:
        ev.SetInt(intval)
    return win.GetEventHandler().ProcessEvent(ev)


def slide(slider, value):
    """Move the slider like a user (EVT_SCROLL_CHANGED -> pluginDVH.OnChangeConstraint);
    raise if dicompyler raised (the readout would then be stale)."""
    n0 = len(RAW['dicompyler_exceptions'])
    slider.SetValue(value)
    ev = wx.ScrollEvent(wx.wxEVT_SCROLL_CHANGED, slider.GetId(), value)
    ev.SetEventObject(slider)
    slider.GetEventHandler().ProcessEvent(ev)
    new = new_exceptions(n0)
    if new:
        raise RuntimeError('dicompyler raised while the slider moved to %s: %s'
                           % (value, exc_summary(new[-1])))


NUM = re.compile(r'^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(.*?)\s*$')


def parse_label(text):
    m = NUM.match(text or '')
    if not m:
        return None, None
    return float(m.group(1)), m.group(2)


def tree_dump(tc, item=None, depth=0, out=None):
    out = [] if out is None else out
    item = item or tc.GetRootItem()
    data = tc.GetItemData(item)
    out.append({'depth': depth, 'text': tc.GetItemText(item),
                'selectable': bool(data),
                'files': len(data['filearray']) if data else 0,
                'rxdose': (data or {}).get('rxdose')})
    child, cookie = tc.GetFirstChild(item)
    while child.IsOk():
        tree_dump(tc, child, depth + 1, out)
        child, cookie = tc.GetNextChild(item, cookie)
    return out


def find_shown(cls):
    for w in wx.GetTopLevelWindows():
        if isinstance(w, cls) and w.IsShown():
            return w
    return None


def window_texts(w, limit=10):
    texts, stack = [], list(w.GetChildren())
    while stack:
        c = stack.pop(0)
        stack.extend(c.GetChildren())
        if isinstance(c, wx.StaticText) and c.GetLabel().strip():
            texts.append(c.GetLabel()[:300])
        elif isinstance(c, wx.TextCtrl) and c.GetValue().strip():
            texts.append(c.GetValue()[:300])
    return texts[:limit]


# ------------------------------------------------------------ modal guard
def modal_guard():
    """Never hang on a modal dialog: close unexpected modal wx dialogs, and the
    importer / progress dialog once their worker threads are dead."""
    if STATE['done']:
        return
    now = time.time()
    try:
        for w in wx.GetTopLevelWindows():
            if not (isinstance(w, wx.Dialog) and w.IsShown() and w.IsModal()):
                continue
            if isinstance(w, dicomgui.DicomImporterDialog):
                t = getattr(w, 't', None)
                busy = (t is not None and t.is_alive()) or \
                    (getattr(w, 'importThread', None) is not None and w.importThread.is_alive())
                if busy or (w.btnSelect.IsEnabled() and not STATE['ok_pressed']):
                    STATE['importer_seen'] = now
                    continue
                if STATE['importer_seen'] is None:
                    STATE['importer_seen'] = now
                if now - STATE['importer_seen'] > 8:
                    ERRORS['importer'] = ('importer dialog left open with nothing to '
                                          'select/import; progress label: %r; closed by '
                                          'the harness' % w.lblProgress.GetLabel())
                    RAW['importer_tree_at_close'] = tree_dump(w.tcPatients)
                    w.EndModal(wx.ID_CANCEL)
                continue
            if isinstance(w, guiutil.ProgressDialog):
                t = getattr(FRAME, 't', None)
                if t is not None and not t.is_alive():
                    STATE['progress_done_at'] = STATE['progress_done_at'] or now
                    if now - STATE['progress_done_at'] > 5 and STATE['parsed'] is None:
                        ERRORS['load'] = ('"Loading Patient Data..." dialog still open after '
                                          'the loading thread ended (progress %r); closed by '
                                          'the harness' % w.lblProgress.GetLabel())
                        w.EndModal(wx.ID_CANCEL)
                continue
            RAW.setdefault('unexpected_dialogs', []).append(
                {'class': type(w).__name__, 'title': w.GetTitle(), 'texts': window_texts(w)})
            ERRORS.setdefault('_dialogs', []).append('%s %r: %s' % (
                type(w).__name__, w.GetTitle(), ' | '.join(window_texts(w))[:500]))
            w.EndModal(wx.ID_CANCEL)
    except Exception:
        RAW.setdefault('guard_errors', []).append(traceback.format_exc(limit=-2))
    wx.CallLater(500, modal_guard)


# ------------------------------------------------------------ steps
def open_patient():
    step('set import location + MainFrame.OnOpenPatient')
    pub.sendMessage('preferences.updated.value',
                    msg={'general.dicom.import_location': PATIENT})
    wx.CallLater(200, poll_importer)
    FRAME.OnOpenPatient(None)   # blocks in ShowModal; timers keep running
    step('ImportDicom returned (dialog closed)')
    wx.CallLater(100, poll_loaded)


def poll_importer():
    if STATE['ok_pressed']:
        return
    dlg = find_shown(dicomgui.DicomImporterDialog)
    if dlg is None or getattr(dlg, 't', None) is None or dlg.t.is_alive() \
            or not dlg.btnSelect.IsEnabled():
        wx.CallLater(100, poll_importer)
        return
    tc = dlg.tcPatients
    sel = tc.GetSelection()
    RAW['importer'] = {'import_path': dlg.txtDicomImport.GetValue(),
                       'progress_label': dlg.lblProgress.GetLabel(),
                       'selected_item': tc.GetItemText(sel),
                       'rxdose_field': dlg.txtRxDose.GetValue(),
                       'rxdose_field_shown': dlg.txtRxDose.IsShown(),
                       'tree': tree_dump(tc)}
    OBS['dicompyler.importer_tree'] = ['  ' * n['depth'] + n['text'] for n in RAW['importer']['tree']]
    OBS['dicompyler.importer_selected'] = tc.GetItemText(sel)
    step('importer ready, selected %r; pressing OK' % tc.GetItemText(sel))
    STATE['ok_pressed'] = True
    fire(dlg.btnSelect, wx.wxEVT_BUTTON)


def poll_loaded():
    if STATE['parsed'] is None:
        if 'importer' in ERRORS or 'load' in ERRORS:
            step('no patient loaded')
            wx.CallLater(100, finish)
            return
        wx.CallLater(100, poll_loaded)
        return
    step('patient.updated.parsed_data received')
    wx.CallLater(300, read_main)


def dvh_panel():
    nb = FRAME.notebook
    for i in range(nb.GetPageCount()):
        if nb.GetPageText(i) == 'DVH':
            return i, nb.GetPage(i)
    return None, None


def read_main():
    f = FRAME
    nb = f.notebook
    mw = {'title': f.GetTitle(),
          'notebook_pages': [nb.GetPageText(i) for i in range(nb.GetPageCount())],
          'lblPatientName': f.lblPatientName.GetLabel(),
          'lblPatientID': f.lblPatientID.GetLabel(),
          'lblPatientGender': f.lblPatientGender.GetLabel(),
          'lblPatientDOB': f.lblPatientDOB.GetLabel(),
          'lblPlanName': f.lblPlanName.GetLabel(),
          'lblRxDose': f.lblRxDose.GetLabel(),
          'structures_list': [c.checkbox.GetLabel() for c in f.cclbStructures.items],
          'isodoses_list': [c.checkbox.GetLabel() for c in f.cclbIsodoses.items],
          'plugins_loaded': sorted(p['plugin'].__name__ for p in f.plugins)}
    RAW['main_window'] = mw
    # The application's own plugins that its loader could not import (it carries on without them)
    OBS['dicompyler.plugins_not_loaded'] = sorted(FAILED_PLUGINS)
    for module, why in FAILED_PLUGINS.items():
        ERRORS['plugin.' + module] = why
    OBS['dicompyler.main_window'] = {k: mw[k] for k in (
        'lblPatientName', 'lblPatientID', 'lblPlanName', 'lblRxDose',
        'notebook_pages', 'plugins_loaded', 'isodoses_list')}
    plan = (STATE['parsed'] or {}).get('plan', {}) or {}
    RAW['parsed_plan'] = {k: v for k, v in plan.items() if isinstance(v, (str, int, float))}

    # demographics
    for key, lbl in (('set.patient_id', 'lblPatientID'), ('set.patient_name', 'lblPatientName')):
        v = mw[lbl]
        if v.strip() and v.strip() != '-':
            OBS[key] = v
        else:
            ERRORS[key] = 'main window %s shows %r' % (lbl, v)
    # plan label: lblPlanName shows the RT Plan's 'name' (dicompyler-core:
    # DoseReferenceDescription) when non-empty, else its RTPlanLabel
    v = mw['lblPlanName']
    if v.strip() in ('', '-'):
        ERRORS['plan.label'] = 'main window plan name label shows %r' % v
    elif plan.get('name'):
        OBS['plan.name_shown'] = v
        ERRORS['plan.label'] = ('main window plan label shows the plan "name" (%r), '
                                'not RTPlanLabel' % v)
    else:
        OBS['plan.label'] = v
        NOTES.append('plan.label is the main window "Plan:" label (dicompyler shows '
                     'RTPlanLabel there when the plan has no name/dose reference description)')
    # prescription: lblRxDose is in cGy
    v = mw['lblRxDose']
    num, _ = parse_label(v)
    if num is None:
        ERRORS['plan.prescription_gy'] = 'main window Rx dose label shows %r' % v
    else:
        OBS['plan.prescription_gy'] = num / 100.0
        NOTES.append('plan.prescription_gy = main window "Rx Dose" label %r (cGy) / 100' % v)
    # structures
    names = mw['structures_list']
    OBS['rtstruct.roi_names'] = names
    OBS['rtstruct.roi_count'] = len(names)
    NOTES.append('rtstruct.roi_names/roi_count: the main window structure list')

    step('main window read; ticking structures and isodoses')
    n0 = len(RAW['dicompyler_exceptions'])
    for c in f.cclbStructures.items:
        c.checkbox.SetValue(True)
        fire(c.checkbox, wx.wxEVT_CHECKBOX, 1)
    for c in f.cclbIsodoses.items:
        c.checkbox.SetValue(True)
        fire(c.checkbox, wx.wxEVT_CHECKBOX, 1)
    RAW['exceptions_while_ticking'] = len(new_exceptions(n0))
    wx.CallLater(200, read_structures)


def dvh_levels():
    """The DVH levels the fixture asks for (points.json): volume percentages for D,
    dose levels per structure for V. Without them, every 2 Gy and the usual D's."""
    try:
        with open(os.path.join(FIXTURE, 'points.json')) as fh:
            asked = json.load(fh).get('dvh') or {}
        return ([int(round(float(x))) for x in asked.get('volume_levels_pct') or []] or D_DEFAULT,
                {str(k): [int(round(float(d))) for d in v] for k, v in (asked.get('dose_levels_gy') or {}).items()})
    except (OSError, ValueError, TypeError, AttributeError):
        return D_DEFAULT, {}


D_DEFAULT = [99, 95, 50, 5, 1]
V_STEP = 2                                   # 'Dose (Gy)' slider every 2 Gy when no level is asked
D_PCTS, V_LEVELS = dvh_levels()


def constraint(p, ctype):
    """Select a constraint type in the DVH plugin; returns (slider max, error)."""
    n0 = len(RAW['dicompyler_exceptions'])
    p.choiceConstraint.SetSelection(ctype)
    err = None
    try:
        fire(p.choiceConstraint, wx.wxEVT_CHOICE, ctype)
    except Exception:
        err = traceback.format_exc()
    new = new_exceptions(n0)
    if new and err is None:
        err = new[-1]
    return p.sliderConstraint.GetMin(), p.sliderConstraint.GetMax(), err


# What a user sees is what is judged: the labels after selecting a structure with the
# DVH plugin as it starts. OPEN_PATIENT_LABELS_VIA_DOSE_CONSTRAINT=1 reads them the
# way around the plugin's TypeError (for a person investigating, never the catalogue).
STRUCT_LABEL_RETRY = os.environ.get('OPEN_PATIENT_LABELS_VIA_DOSE_CONSTRAINT') == '1'
STATE['labels_via_retry'] = []
STATE['labels_default_exc'] = set()
STATE['stale_labels'] = []


def select_structure(ch, n):
    """Select structure n in the main window's structure choice (EVT_CHOICE ->
    MainFrame.OnStructureSelect) and read its four labels."""
    f = FRAME
    ch.SetSelection(n)
    n0 = len(RAW['dicompyler_exceptions'])
    try:
        fire(ch, wx.wxEVT_CHOICE, n)
    except Exception:
        RAW['dicompyler_exceptions'].append(traceback.format_exc())
    return ({'lblStructureVolume': f.lblStructureVolume.GetLabel(),
             'lblStructureMinDose': f.lblStructureMinDose.GetLabel(),
             'lblStructureMaxDose': f.lblStructureMaxDose.GetLabel(),
             'lblStructureMeanDose': f.lblStructureMeanDose.GetLabel()},
            new_exceptions(n0))


def read_structures():
    f = FRAME
    ch = f.choiceStructure
    _, p = dvh_panel()
    rows = []
    for n in range(ch.GetCount()):
        name = ch.GetString(n)
        # State A: the DVH plugin's constraint choice at its default
        # ("Volume (V___)", index 0), as a user sees it after loading.
        if p is not None:
            p.choiceConstraint.SetSelection(0)
        labels_a, exc_a = select_structure(ch, n)
        row = {'name': name, 'labels_default_constraint': labels_a,
               'exceptions_on_select_default_constraint': [exc_summary(e) for e in exc_a]}
        labels, sel_exc = labels_a, exc_a
        # An exception inside the selection means OnStructureSelect stopped
        # before setting the labels: they show '-' or the PREVIOUS structure's
        # values (stale), never this structure's.
        stale_a = bool(exc_a)
        if stale_a and any(parse_label(v)[0] is not None for v in labels_a.values()):
            STATE['stale_labels'].append(name)
        if stale_a and p is not None and p.choiceConstraint.IsEnabled() and STRUCT_LABEL_RETRY:
            # State B: with "Dose (D__)" (index 2) chosen in the DVH plugin its
            # SetRange(0, 100) gets an int, so MainFrame.OnStructureSelect runs
            # to the end and fills the labels; re-select the structure.
            constraint(p, 2)
            labels_b, exc_b = select_structure(ch, n)
            row['labels_dose_constraint'] = labels_b
            row['exceptions_on_select_dose_constraint'] = [exc_summary(e) for e in exc_b]
            if not exc_b:
                labels, sel_exc = labels_b, exc_b
                STATE['labels_via_retry'].append(name)
                STATE['labels_default_exc'].update(exc_summary(e) for e in exc_a)
        for key, lbl in (('rtstruct.roi.%s.volume_cc', 'lblStructureVolume'),
                         ('dvh.%s.min_gy', 'lblStructureMinDose'),
                         ('dvh.%s.max_gy', 'lblStructureMaxDose'), ('dvh.%s.mean_gy', 'lblStructureMeanDose')):
            k = key % name
            text = labels[lbl]
            num, _ = parse_label(text)
            if sel_exc:
                why = ('main window label %s not updated for this structure (shows %r%s)'
                       % (lbl, text, '' if num is None else ', left from the previous structure'))
                why += ': ' + exc_summary(sel_exc[-1]) + \
                    ' (raised through MainFrame.OnStructureSelect before it sets the labels)'
                ERRORS[k] = why
            elif num is None:
                why = 'main window label %s shows %r' % (lbl, text)
                if sel_exc:
                    why += ': ' + exc_summary(sel_exc[-1]) + \
                        ' (raised through MainFrame.OnStructureSelect before it sets the labels)'
                ERRORS[k] = why
            else:
                OBS[k] = num
        if p is not None and p.choiceConstraint.IsEnabled():
            dv = {}
            # D at volume (%): readout lblConstraintUnits e.g. "69.01 Gy"
            lo, hi, err = constraint(p, 2)
            dv['D(%) slider range'] = [lo, hi]
            if err:
                dv['D(%) toggle error'] = exc_summary(err)
            for x in D_PCTS:
                k = 'dvh.%s.D%s_gy' % (name, x)
                try:
                    if not lo <= x <= hi:
                        ERRORS[k] = 'DVH plugin volume slider range is %s..%s' % (lo, hi)
                        continue
                    slide(p.sliderConstraint, x)
                    text = p.lblConstraintUnits.GetLabel()
                    dv['D%s%%' % x] = [text, p.lblConstraintPercent.GetLabel()]
                    num, unit = parse_label(text)
                    if num is None:
                        ERRORS[k] = 'DVH plugin dose readout shows %r' % text
                    elif unit.lower() == 'gy':
                        OBS[k] = num
                    elif unit.lower() == 'cgy':
                        OBS[k] = num / 100.0
                    else:
                        ERRORS[k] = 'DVH plugin dose readout %r has unit %r' % (text, unit)
                except RuntimeError as e:
                    ERRORS[k] = 'DVH plugin readout not updated: %s' % e
                except Exception:
                    ERRORS[k] = 'harness: ' + exc_summary(traceback.format_exc())
            # V at dose (Gy): readout lblConstraintPercent e.g. "52.65 %"
            lo, hi, err = constraint(p, 1)
            dv['V(Gy) slider range'] = [lo, hi]
            if err:
                dv['V(Gy) toggle error'] = exc_summary(err)
            levels = V_LEVELS.get(name) or [d for d in range(lo - lo % V_STEP, hi + 1, V_STEP) if d >= lo]
            for d in levels:
                k = 'dvh.%s.V%sgy_pct' % (name, d)
                if not lo <= d <= hi:
                    ERRORS[k] = 'DVH plugin dose slider range is %s..%s Gy' % (lo, hi)
                    continue
                try:
                    slide(p.sliderConstraint, d)
                    text = p.lblConstraintPercent.GetLabel()
                    dv['V%sGy' % d] = [p.lblConstraintUnits.GetLabel(), text]
                    num, unit = parse_label(text)
                    if num is None or unit != '%':
                        ERRORS[k] = 'DVH plugin volume readout shows %r' % text
                    else:
                        OBS[k] = num
                except RuntimeError as e:
                    ERRORS[k] = 'DVH plugin readout not updated: %s' % e
                except Exception:
                    ERRORS[k] = 'harness: ' + exc_summary(traceback.format_exc())
            row['dvh_plugin'] = dv
            ERRORS['dvh.%s.D0.03cc_gy' % name] = (
                'not displayable: the DVH plugin\'s "Dose (D__cc)" slider takes whole cm3 only')
        else:
            row['dvh_plugin'] = 'constraint controls disabled (no DVH for this structure)'
            ERRORS['dvh.%s.D*_gy/V*gy_pct' % name] = ('DVH plugin constraint controls disabled '
                                                    'for this structure (no DVH calculated)')
        rows.append(row)
    RAW['structure_stats'] = rows
    if STATE['stale_labels']:
        NOTES.append('with the DVH plugin at its default constraint "Volume (V___)" the '
                     'main window kept showing the previous structure\'s volume/min/max/mean '
                     'after selecting %s (stale labels; not reported as theirs)'
                     % ', '.join(STATE['stale_labels']))
    if STATE['labels_via_retry']:
        NOTES.append('main window volume/min/max/mean labels: with the DVH plugin\'s '
                     'constraint choice at its default "Volume (V___)" selecting a '
                     'structure leaves them at "-" or at the previous structure\'s values (%s, raised through '
                     'MainFrame.OnStructureSelect); the values reported for %s were read '
                     'after choosing "Dose (D__)" in the DVH plugin and re-selecting the '
                     'structure (set OPEN_PATIENT_STRICT_LABELS=1 to report only the '
                     'default state)' % ('; '.join(sorted(STATE['labels_default_exc'])),
                                         ', '.join(STATE['labels_via_retry'])))
    NOTES.append('rtstruct.roi.<ROI>.volume_cc: the main window\'s structure volume label')
    NOTES.append('dvh.<ROI>.D<x>_gy: DVH plugin, constraint "Dose (D__)" slider at x %% '
                 '(x in %s), dose readout label; dvh.<ROI>.V<d>gy_pct: constraint '
                 '"Volume (V__Gy)" slider at the dose levels points.json names, '
                 'percent readout label. Sliders are integer: D0.03cc cannot be set '
                 'and is not reported' % (D_PCTS,))
    NOTES.append('dvh.<ROI>.volume_cc/min_gy/max_gy/mean_gy: main window structure '
                 'labels after selecting the structure (volume label is str(volume)[0:7]). '
                 'The min/max/mean labels carry a static unit label "%" from main.xrc, '
                 'but main.py:669-671 fills them with "%.3f" of the dicompyler-core DVH\'s '
                 'min/max/mean, which are in Gy: the numbers are reported as Gy')
    # DVH tab, first non-BODY structure selected -> screenshot of the state
    # the default flow leaves (its DVH plot may be empty, see plot_state)
    select_for_screenshot()
    wx.CallLater(1500, shot_default)


def select_for_screenshot(default=True):
    """Select the first structure that is not the body. ``default``: with the DVH
    plugin's constraint choice as it starts (what the verdicts rest on); otherwise at
    "Dose (D__)" with the slider at 95 %."""
    f = FRAME
    ch = f.choiceStructure
    _, p = dvh_panel()
    if ch.GetCount():
        idx = 0
        for n in range(ch.GetCount()):
            if ch.GetString(n).upper() not in ('BODY', 'EXTERNAL'):
                idx = n
                break
        ch.SetSelection(idx)
        try:
            if default and p is not None:
                p.choiceConstraint.SetSelection(0)
            fire(ch, wx.wxEVT_CHOICE, idx)
            if not default and p is not None and p.choiceConstraint.IsEnabled():
                constraint(p, 2)
                slide(p.sliderConstraint, 95)
        except Exception:
            pass
    i, _ = dvh_panel()
    if i is not None:
        f.notebook.SetSelection(i)
    f.Raise()
    f.SendSizeEvent()
    f.Refresh()
    f.Update()


def plot_state():
    try:
        _, pnl = dvh_panel()
        if pnl is None:
            return None
        ax = pnl.guiDVH.panelDVH.get_figure().gca()
        return {'curves': len(ax.lines),
                'legend': [t.get_text() for t in ax.get_legend().get_texts()]
                if ax.get_legend() else [],
                'checked_structures_known_to_plugin': sorted(
                    str(v.get('name')) for v in pnl.checkedstructures.values())}
    except Exception:
        return traceback.format_exc(limit=-2)


def shot_default():
    RAW['dvh_plot_default_flow'] = plot_state()
    # what the user sees: the screenshot the report shows
    grab(os.path.join(OUTDIR, 'screenshot.png'), 'default_flow')
    # The DVH plugin only draws curves for structures it received through
    # 'structures.checked'; MainFrame.OnStructureCheck publishes that after
    # OnStructureSelect, which raises while the plugin's constraint choice is
    # at its default.  With "Dose (D__)" chosen, untick and re-tick every
    # structure (as a user could) so the plot for screenshot.png is filled.
    _, p = dvh_panel()
    n0 = len(RAW['dicompyler_exceptions'])
    if p is not None and p.choiceConstraint.IsEnabled():
        try:
            constraint(p, 2)
            for c in FRAME.cclbStructures.items:
                c.checkbox.SetValue(False)
                fire(c.checkbox, wx.wxEVT_CHECKBOX, 0)
                c.checkbox.SetValue(True)
                fire(c.checkbox, wx.wxEVT_CHECKBOX, 1)
        except Exception:
            RAW['retick_error'] = traceback.format_exc()
    RAW['exceptions_while_reticking'] = [exc_summary(e) for e in new_exceptions(n0)]
    select_for_screenshot(default=False)
    step('structures re-ticked; waiting for repaint before screenshot')
    wx.CallLater(1500, shot_final)


def shot_final():
    RAW['dvh_plot_final'] = st = plot_state()
    d = RAW.get('dvh_plot_default_flow')
    if isinstance(d, dict) and isinstance(st, dict):
        OBS['dicompyler.dvh_plot_curves'] = {'default_flow': d['curves'],
                                             'after_retick': st['curves']}
        if d['curves'] == 0:
            NOTES.append('the DVH plugin\'s plot stays empty after ticking the structures '
                         '(MainFrame.OnStructureCheck never publishes \'structures.checked\': '
                         'the TypeError at baseplugins/dvh.py:235 escapes OnStructureSelect '
                         'first) -> screenshot.png; screenshot-curves.png was taken '
                         'after unticking and re-ticking every structure with the DVH '
                         'plugin at "Dose (D__)" (%d curves)' % st['curves'])
    grab(os.path.join(OUTDIR, 'screenshot-curves.png'), 'final')
    finish()


def grab(path, tag):
    """Screenshot of the main frame: ImageMagick `import -window root` on the
    Xvfb display cropped to the frame (wx.ScreenDC returned stale pixels)."""
    try:
        x, y, w, h = FRAME.GetScreenRect()
        info = {'path': path, 'frame_rect': [x, y, w, h],
                'notebook_page': FRAME.notebook.GetPageText(FRAME.notebook.GetSelection())}
        tmp = path + '.root.png'
        r = None
        if shutil.which('import'):
            r = subprocess.run(['import', '-window', 'root', tmp],
                               capture_output=True, text=True, timeout=30)
        if r is not None and r.returncode == 0:
            from PIL import Image
            Image.open(tmp).crop((x, y, x + w, y + h)).save(path)
            os.remove(tmp)
            info['tool'] = 'ImageMagick import -window root, cropped to the frame'
        else:
            info['tool'] = 'wx.ScreenDC blit (ImageMagick import unavailable/failed)'
            bmp = wx.Bitmap(w, h)
            mem = wx.MemoryDC(bmp)
            mem.Blit(0, 0, w, h, wx.ScreenDC(), x, y)
            mem.SelectObject(wx.NullBitmap)
            bmp.SaveFile(path, wx.BITMAP_TYPE_PNG)
        RAW.setdefault('screenshots', {})[tag] = info
    except Exception:
        ERRORS['screenshot.' + tag] = exc_summary(traceback.format_exc())


def finish():
    STATE['done'] = True
    step('done')
    excs = RAW['dicompyler_exceptions']
    if excs:
        seen = {}
        for e in excs:
            s = exc_summary(e)
            seen[s] = seen.get(s, 0) + 1
        ERRORS['_dicompyler_exceptions'] = ['%dx %s' % (c, s) for s, c in seen.items()]
    RAW['wx_log_count'] = len(RAW.get('wx_log', []))
    emit(2 if STATE['parsed'] is None else 0)


class CollectLog(wx.Log):
    """Collect wxLogError (XRC sizer-flag messages) instead of a modal log dialog."""
    def DoLogTextAtLevel(self, level, msg):
        if level <= wx.LOG_Info:
            RAW.setdefault('wx_log', []).append(msg)


class CheckApp(dmain.dicompyler):
    def OnInit(self):
        self._log = CollectLog()
        wx.Log.SetActiveTarget(self._log)
        return dmain.dicompyler.OnInit(self)


try:
    APP = CheckApp(0)   # dicompyler.OnInit: XmlResource(main.xrc), MainFrame, Show
    FRAME = APP.GetTopWindow()
except Exception:
    tb = traceback.format_exc(limit=-3)
    if 'wxEntryStart failed' in tb and ATTEMPT < 4 and time.time() < DEADLINE - 60:
        # GTK could not open the display (seen intermittently under xvfb-run on
        # hosts sharing /tmp); a failed wx.App cannot be retried in-process, so
        # re-execute this program (same arguments, same overall deadline).
        print('[open_patient] wxEntryStart failed; re-executing (attempt %d)' % (ATTEMPT + 1),
              file=sys.stderr, flush=True)
        os.environ['OPEN_PATIENT_ATTEMPT'] = str(ATTEMPT + 1)
        os.environ['OPEN_PATIENT_DEADLINE'] = repr(DEADLINE)
        os.dup2(_JSON_FD, 1)
        if _XVFB:
            _XVFB[0].kill()
        os.execv(ORIG_ARGV[0], ORIG_ARGV)
    ERRORS['startup'] = 'dicompyler wx.App failed: ' + tb
    emit(2)
if ATTEMPT > 1:
    NOTES.append('wx.App failed to open the display (wxEntryStart failed) on %d earlier '
                 'attempt(s); the program re-executed itself' % (ATTEMPT - 1))
if FRAME is None or not isinstance(FRAME, dmain.MainFrame):
    ERRORS['startup'] = 'dicompyler MainFrame was not created (OnInit failed)'
    emit(2)
NOTES.append('wx log messages (XRC sizer-flag complaints from wx 3.2) are collected '
             'instead of shown in a modal log window')
step('MainFrame created: %r' % FRAME.GetTitle())
wx.CallLater(500, open_patient)
wx.CallLater(1000, modal_guard)
APP.MainLoop()
ERRORS.setdefault('_mainloop', 'wx main loop returned before the check finished')
emit(1)
