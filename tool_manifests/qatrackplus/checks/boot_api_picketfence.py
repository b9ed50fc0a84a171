#!/usr/bin/env python3
"""rtcompat check for QATrack+ run from a source checkout.

Usage (run with the interpreter of the venv that has QATrack+'s requirements):
    VENV/bin/python check_qatrack.py SRC_CHECKOUT OUT_DIR

Prints ONE JSON line of observations on stdout.

What it does (everything on loopback 127.0.0.1, nothing written into SRC):
  1. builds a throwaway settings override (SQLite DB, MEDIA/LOG roots in OUT_DIR)
     and injects it as module `qatrack.local_settings` (QATrack+'s settings.py
     ends with `from .local_settings import *`), so the checkout is untouched;
  2. `manage.py migrate` and `manage.py createcachetable` (run through a tiny
     wrapper around django's execute_from_command_line, same as manage.py);
  3. creates a superuser, a Unit, and a "Picket Fence" test list whose File
     Upload test runs pylinac.PicketFence on the uploaded file (the QATrack+
     pylinac tutorial), plus a Composite test reading its result;
  4. starts `manage.py runserver 127.0.0.1:<free port> --noreload`;
  5. REST API: POST /api/get-token/, GET /api/ (token and anonymous),
     GET /api/schema/ (counts endpoints), finds the UnitTestCollection and
     POSTs a TestListInstance with a synthetic picket-fence DICOM (made with
     pylinac.core.image_generator) base64-encoded as the upload value;
  6. stops the server.
"""
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import types
import urllib.error
import urllib.parse
import urllib.request

HOST = "127.0.0.1"
USER = "rtcompat_admin"
PASSWORD = "rtcompat-Throwaway-pw-1"
UNIT_NAME = "RTC_UNIT"
TL_NAME = "RTC Picket Fence"

PF_PROCEDURE = """\
import pylinac
pf = pylinac.PicketFence(BIN_FILE.path)
pf.analyze()
pf_upload = {
    'percent_passing': float(pf.percent_passing),
    'max_error': float(pf.max_error),
    'num_pickets': int(pf.num_pickets),
    'orientation': str(pf.orientation),
}
"""
COMPOSITE_PROCEDURE = "pf_num_pickets = pf_upload['num_pickets']\n"
COMPOSITE2_PROCEDURE = "pf_pct_passing = pf_upload['percent_passing']\n"


def local_settings_source(out):
    out = os.path.abspath(out)
    return f"""
import os
_OUT = {out!r}
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost', 'testserver']
SECRET_KEY = 'rtcompat-throwaway-not-secret'
DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3',
                          'NAME': os.path.join(_OUT, 'qatrack.sqlite3')}}}}
MEDIA_ROOT = os.path.join(_OUT, 'media')
LOG_ROOT = os.path.join(_OUT, 'logs')
LOGGING = {{'version': 1, 'disable_existing_loggers': False,
           'handlers': {{'f': {{'class': 'logging.FileHandler', 'level': 'ERROR',
                              'filename': os.path.join(_OUT, 'logs', 'django-errors.log')}}}},
           'loggers': {{'django.request': {{'handlers': ['f'], 'level': 'ERROR'}}}}}}
TIME_ZONE = 'UTC'
NOTIFICATIONS_ON = False
EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'
USE_SERVICE_LOG = True
"""


def bootstrap_django(src, out):
    """Make `import qatrack.settings` use our throwaway overrides."""
    src = os.path.abspath(src)
    if src not in sys.path:
        sys.path.insert(0, src)
    os.makedirs(os.path.join(out, "media"), exist_ok=True)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    mod = types.ModuleType("qatrack.local_settings")
    mod.__file__ = os.path.join(os.path.abspath(out), "local_settings.py")
    exec(compile(local_settings_source(out), mod.__file__, "exec"), mod.__dict__)
    sys.modules["qatrack.local_settings"] = mod
    os.environ["DJANGO_SETTINGS_MODULE"] = "qatrack.settings"


def mode_manage(src, out, argv):
    bootstrap_django(src, out)
    from django.core.management import execute_from_command_line
    execute_from_command_line(["manage.py"] + argv)


def mode_setup(src, out, pf_path):
    """Create superuser, token, unit, upload test list; print JSON."""
    bootstrap_django(src, out)
    import django
    django.setup()
    res = {}
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token
    from qatrack.qa import models as qam
    from qatrack.qa.tests import utils as qu

    user = User.objects.create_superuser(USER, "rtc@example.invalid", PASSWORD)
    Token.objects.get_or_create(user=user)
    grp, _ = Group.objects.get_or_create(name="rtcompat")
    user.groups.add(grp)
    res["superuser_ok"] = True
    if not qam.TestInstanceStatus.objects.filter(is_default=True).exists():
        qu.create_status(name="Approved", slug="approved", is_default=True, requires_review=False)

    unit = qu.create_unit(name=UNIT_NAME)
    cat = qu.create_category(name="Imaging", slug="imaging")
    t_up = qu.create_test(name="pf_upload", test_type=qam.UPLOAD, category=cat)
    t_up.calculation_procedure = PF_PROCEDURE
    t_up.save()
    t_comp = qu.create_test(name="pf_num_pickets", test_type=qam.COMPOSITE, category=cat)
    t_comp.calculation_procedure = COMPOSITE_PROCEDURE
    t_comp.save()
    t_comp2 = qu.create_test(name="pf_pct_passing", test_type=qam.COMPOSITE, category=cat)
    t_comp2.calculation_procedure = COMPOSITE2_PROCEDURE
    t_comp2.save()
    tl = qu.create_test_list(name=TL_NAME)
    qu.create_test_list_membership(test_list=tl, test=t_up, order=0)
    qu.create_test_list_membership(test_list=tl, test=t_comp, order=1)
    qu.create_test_list_membership(test_list=tl, test=t_comp2, order=2)
    utc = qu.create_unit_test_collection(unit=unit, test_collection=tl, assigned_to=grp)
    res["utc_id"] = utc.pk

    # synthetic picket fence DICOM for the upload test (made with pylinac's own
    # image generator; failure here = pylinac not importable in this env)
    if pf_path:
        try:
            import pylinac
            res["pylinac_version"] = getattr(pylinac, "__version__", None)
            from pylinac.core.image_generator import AS1000Image, FilteredFieldLayer, generate_picketfence
            generate_picketfence(AS1000Image(), FilteredFieldLayer, pf_path, final_layers=[])
            res["pf_dicom_bytes"] = os.path.getsize(pf_path)
        except Exception as e:
            res["pylinac_error"] = "".join(traceback.format_exception_only(type(e), e)).strip()[-500:]
    print("RTC_SETUP " + json.dumps(res))


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(method, url, data=None, headers=None, timeout=120):
    assert urllib.parse.urlsplit(url).hostname == HOST
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    body = None
    headers = dict(headers or {})
    if data is not None:
        if headers.get("Content-Type") == "application/json":
            body = json.dumps(data).encode()
        else:
            body = urllib.parse.urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def count_schema_endpoints(body):
    """Count (paths, operations) in the OpenAPI document served at /api/schema/.

    DRF 3.12 serves it as YAML (needs pyyaml); QATrack+'s schema contains
    python-tagged Decimals, so count with regexes rather than a YAML parser.
    """
    t = body.decode(errors="replace")
    if t.lstrip().startswith("{"):
        d = json.loads(t)
        paths = d.get("paths", {})
        return len(paths), sum(len(v) for v in paths.values())
    paths = re.findall(r"^  (/[^:\s]*):\s*$", t, re.M)
    ops = re.findall(r"^    (get|post|put|patch|delete):\s*$", t, re.M)
    return len(paths), len(ops)


_OUT_BY_BASE = {}


def out_dir_of(base):
    return _OUT_BY_BASE.get(base)


def last_server_error(out):
    """Last exception line from the django.request error log in OUT/logs."""
    try:
        with open(os.path.join(out, "logs", "django-errors.log"), errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
        exc = [ln for ln in lines if re.match(r"^[A-Za-z_.]+(Error|Exception)\b", ln)]
        return (exc or lines or ["(no server log)"])[-1][:500]
    except Exception as e:
        return f"(no server log: {e!r})"


def tail(s, n=600):
    s = s.decode(errors="replace") if isinstance(s, bytes) else str(s)
    return s[-n:]


def main(src, out):
    src = os.path.abspath(src)
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    obs = {"qatrack.python": sys.version.split()[0]}
    errors = {}
    timings = {}
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", no_proxy="*", NO_PROXY="*",
               MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    me = os.path.abspath(__file__)

    # version & commit
    try:
        with open(os.path.join(src, "qatrack", "settings.py")) as f:
            m = re.search(r"""^VERSION\s*=\s*['"]([^'"]+)['"]""", f.read(), re.M)
        obs["qatrack.version"] = m.group(1) if m else None
    except Exception as e:
        errors["version"] = repr(e)
    try:
        obs["qatrack.commit"] = subprocess.run(["git", "-C", src, "rev-parse", "HEAD"], capture_output=True,
                                               text=True, timeout=30).stdout.strip() or None
    except Exception as e:
        obs["qatrack.commit"] = None
    try:
        import importlib.metadata as md
        for dist in ("Django", "djangorestframework", "pylinac-qatrackplus", "pylinac", "numpy", "pydicom"):
            try:
                obs[f"qatrack.dep.{dist}"] = md.version(dist)
            except md.PackageNotFoundError:
                obs[f"qatrack.dep.{dist}"] = None
    except Exception as e:
        errors["deps"] = repr(e)

    def manage(args, timeout=900):
        t0 = time.time()
        p = subprocess.run([sys.executable, me, "--manage", src, out] + args, capture_output=True,
                           env=env, timeout=timeout, cwd=out)
        return p, round(time.time() - t0, 2)

    # 1. migrate
    try:
        p, dt = manage(["migrate", "--noinput"])
        timings["migrate_s"] = dt
        obs["qatrack.migrate_ok"] = p.returncode == 0
        obs["qatrack.migrations_applied"] = len(re.findall(rb"Applying \S+\.\S+\.\.\. OK", p.stdout))
        if p.returncode != 0:
            errors["migrate"] = tail(p.stderr or p.stdout)
        p, dt = manage(["createcachetable"])
        obs["qatrack.createcachetable_ok"] = p.returncode == 0
        if p.returncode != 0:
            errors["createcachetable"] = tail(p.stderr)
        p, dt = manage(["check"])
        obs["qatrack.django_check_ok"] = p.returncode == 0
        if p.returncode != 0:
            errors["check"] = tail(p.stderr)
    except Exception as e:
        obs["qatrack.migrate_ok"] = False
        errors["migrate"] = repr(e)

    # 2. superuser + test data + synthetic image
    setup = {}
    pf_path = os.path.join(out, "synthetic_pf.dcm")
    if obs.get("qatrack.migrate_ok"):
        try:
            t0 = time.time()
            p = subprocess.run([sys.executable, me, "--setup", src, out, pf_path], capture_output=True, env=env,
                               timeout=600, cwd=out)
            timings["setup_s"] = round(time.time() - t0, 2)
            line = [ln for ln in p.stdout.decode(errors="replace").splitlines() if ln.startswith("RTC_SETUP ")]
            if p.returncode == 0 and line:
                setup = json.loads(line[-1][len("RTC_SETUP "):])
            else:
                errors["setup"] = tail(p.stderr or p.stdout)
        except Exception as e:
            errors["setup"] = repr(e)
    obs["qatrack.superuser_ok"] = bool(setup.get("superuser_ok"))
    obs["qatrack.pylinac_import_ok"] = "pylinac_version" in setup
    obs["qatrack.pylinac_version"] = setup.get("pylinac_version")
    if setup.get("pylinac_error"):
        errors["pylinac"] = setup["pylinac_error"]

    # 3. dev server on loopback
    server = None
    if obs.get("qatrack.migrate_ok"):
        port = free_port()
        base = f"http://{HOST}:{port}"
        _OUT_BY_BASE[base] = out
        log = open(os.path.join(out, "runserver.log"), "wb")
        t0 = time.time()
        server = subprocess.Popen([sys.executable, me, "--manage", src, out, "runserver", f"{HOST}:{port}",
                                   "--noreload", "--nothreading"], stdout=log, stderr=subprocess.STDOUT,
                                  env=env, cwd=out)
        up = False
        while time.time() - t0 < 180 and server.poll() is None:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    up = True
                    break
            except OSError:
                time.sleep(0.5)
        timings["server_start_s"] = round(time.time() - t0, 2)
        obs["qatrack.server_up"] = up
        if not up:
            log.flush()
            with open(os.path.join(out, "runserver.log"), "rb") as f:
                errors["runserver"] = tail(f.read())
        else:
            try:
                run_api(base, setup, pf_path, obs, errors, timings)
            except Exception:
                errors["api"] = tail(traceback.format_exc(), 1500)
    if server is not None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    obs["qatrack.timings"] = timings
    if errors:
        obs["_errors"] = errors
    print(json.dumps(obs, sort_keys=True))
    return 0


def run_api(base, setup, pf_path, obs, errors, timings):
    # login page (plain Django view) as a smoke test of the HTML side
    st, _ = http("GET", base + "/accounts/login/")
    obs["qatrack.login_page_status"] = st

    st, body = http("POST", base + "/api/get-token/", {"username": USER, "password": PASSWORD})
    obs["qatrack.token_status"] = st
    token = json.loads(body).get("token") if st == 200 else None
    if not token:
        errors["token"] = tail(body)
        return
    auth = {"Authorization": f"Token {token}", "Accept": "application/json"}

    st, _ = http("GET", base + "/api/", headers={"Accept": "application/json"})
    obs["qatrack.api_anon_status"] = st
    st, body = http("GET", base + "/api/", headers=auth)
    obs["qatrack.api_status"] = st
    if st == 200:
        roots = json.loads(body)
        obs["qatrack.api_roots"] = len(roots)
        # each app root lists its endpoints
        n = 0
        for app, url in sorted(roots.items()):
            if app == "schema":
                continue
            u = urllib.parse.urlsplit(url)
            s2, b2 = http("GET", base + u.path, headers=auth)
            if s2 == 200:
                try:
                    n += len(json.loads(b2))
                except ValueError:
                    pass
            else:
                errors.setdefault("api_app_roots", {})[app] = s2
        obs["qatrack.api_endpoints"] = n
    else:
        errors["api"] = tail(body)

    t0 = time.time()
    st, body = http("GET", base + "/api/schema/", headers={"Authorization": f"Token {token}",
                                                          "Accept": "application/vnd.oai.openapi"})
    timings["schema_s"] = round(time.time() - t0, 2)
    obs["qatrack.api_schema_status"] = st
    if st == 200:
        try:
            obs["qatrack.api_schema_paths"], obs["qatrack.api_schema_operations"] = count_schema_endpoints(body)
        except Exception as e:
            errors["schema_parse"] = repr(e)
    else:
        errors["schema"] = f"HTTP {st}: " + last_server_error(out_dir_of(base))

    st, body = http("GET", base + "/api/units/units/", headers=auth)
    obs["qatrack.api_units_status"] = st
    if st == 200:
        obs["qatrack.api_units_count"] = json.loads(body).get("count")

    # image analysis path: upload test type -> pylinac in the calculation procedure
    if not setup.get("utc_id") or not os.path.exists(pf_path):
        errors["upload"] = "skipped: setup did not produce a UnitTestCollection / synthetic image"
        obs["qatrack.image_analysis_ok"] = False
        return
    q = urllib.parse.urlencode({"unit__name__icontains": UNIT_NAME, "test_list__name__icontains": TL_NAME})
    st, body = http("GET", base + "/api/qa/unittestcollections/?" + q, headers=auth)
    obs["qatrack.api_utc_status"] = st
    if st != 200 or not json.loads(body).get("results"):
        errors["utc"] = tail(body)
        return
    utc_url = json.loads(body)["results"][0]["url"]
    with open(pf_path, "rb") as f:
        b64 = base64.b64encode(f.read()).decode()
    data = {
        "unit_test_collection": utc_url,
        "day": 0,
        "in_progress": False,
        "include_for_scheduling": True,
        "work_started": "2024-01-02 10:00",
        "work_completed": "2024-01-02 10:05",
        "comment": "rtcompat synthetic picket fence",
        "tests": {"pf_upload": {"filename": "synthetic_pf.dcm", "value": b64, "encoding": "base64"}},
    }
    t0 = time.time()
    st, body = http("POST", base + "/api/qa/testlistinstances/", data,
                    headers=dict(auth, **{"Content-Type": "application/json"}), timeout=600)
    timings["upload_analysis_s"] = round(time.time() - t0, 2)
    obs["qatrack.upload_status"] = st
    if st != 201:
        errors["upload"] = f"HTTP {st}: " + (tail(body, 1500) if st < 500 else last_server_error(out_dir_of(base)))
        return
    res = json.loads(body)
    tests = res.get("tests") or {}
    up = tests.get("pf_upload") or {}
    # the upload test's own value is the uploaded file (its result dict is stored
    # server-side as json_value, not returned here); composites expose the numbers
    obs["qatrack.upload_attachment_count"] = len(up.get("attachments") or [])
    n = (tests.get("pf_num_pickets") or {}).get("value")
    pct = (tests.get("pf_pct_passing") or {}).get("value")
    obs["qatrack.pylinac_pf_num_pickets"] = n
    obs["qatrack.pylinac_pf_percent_passing"] = pct
    obs["qatrack.image_analysis_ok"] = bool(n is not None and abs(float(n) - 11) < 1e-6
                                            and pct is not None and float(pct) > 99.0)
    if not obs["qatrack.image_analysis_ok"]:
        errors["image_analysis"] = tail(json.dumps(tests), 800)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "--manage":
        mode_manage(a[1], a[2], a[3:])
    elif a and a[0] == "--setup":
        mode_setup(a[1], a[2], a[3] if len(a) > 3 else None)
    elif len(a) == 2:
        try:
            sys.exit(main(a[0], a[1]))
        except Exception:
            print(json.dumps({"_errors": {"check": traceback.format_exc()[-1500:]}}))
            sys.exit(0)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
