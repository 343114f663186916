"""The form registry: every form file in a directory, checked against the lock file.

A released form version is immutable, because every saved assessment points at a form's
id, version and SHA-256: `forms.lock.toml` records the SHA-256 of each released version,
and a file whose content no longer matches is refused. One bad file never stops the others
loading; its problems are returned for the application to raise as an administrator alarm.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mottagning.assessment.checks import form_problems
from mottagning.assessment.form import Form, FormError, Problem
from mottagning.assessment.parsing import parse_form
from mottagning.i18n import _
from mottagning.paths import resource

LOCK_FILE = "forms.lock.toml"

_LOCK_HEADER = """\
# Released assessment form versions and the SHA-256 of each file. A released version must
# never change: saved assessments refer to it. Change a form by adding a new version file;
# add it here with `mottagning forms release FILE`.
"""


class FormUnavailable(LookupError):
    """No valid form to start an assessment with; the message is for the worker."""


def form_sha256(path: Path) -> str:
    """SHA-256 of a form file's bytes, as recorded in the lock file and on assessments."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def forms_directory() -> Path:
    return resource("forms")


def load_form(path: Path) -> Form:
    """Read, parse and check one form file (its test cases included).

    Raises FormError listing every problem. The lock file is not consulted here.
    """
    try:
        content = path.read_bytes()
    except OSError as error:
        raise FormError([Problem(path, "", _("filen kan inte läsas: {error}").format(
            error=error.strerror
        ))]) from error
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FormError([Problem(path, "", _("filen är inte giltig TOML: {error}").format(
            error=error
        ))]) from error
    form = parse_form(data, path=path, sha256=hashlib.sha256(content).hexdigest())
    problems = form_problems(form)
    if problems:
        raise FormError(problems)
    return form


@dataclass(frozen=True)
class FormSet:
    """The usable forms by (id, version) and the problems found while loading."""

    forms: Mapping[tuple[str, int], Form]
    problems: tuple[Problem, ...]

    def current(self, form_id: str) -> Form:
        """The newest valid version of a form, for a new assessment.

        A newer version that is broken or changed is skipped, so workers keep the last
        valid one while the administrators get the problem.
        """
        versions = [form for (fid, _v), form in self.forms.items() if fid == form_id]
        if not versions:
            raise FormUnavailable(_(
                "Det finns inget giltigt formulär '{id}', så bedömningen kan inte startas. "
                "Kontakta systemförvaltaren."
            ).format(id=form_id))
        return max(versions, key=lambda form: form.version)

    def version(self, form_id: str, version: int) -> Form:
        """A given version, to show or continue an assessment made with it."""
        try:
            return self.forms[(form_id, version)]
        except KeyError:
            raise FormUnavailable(_(
                "Formuläret '{id}' version {version} finns inte eller är inte giltigt. "
                "Kontakta systemförvaltaren."
            ).format(id=form_id, version=version)) from None


def read_lock(directory: Path) -> tuple[dict[tuple[str, int], str], list[Problem]]:
    """The released versions, (id, version) → SHA-256, and any fault in the lock file."""
    path = directory / LOCK_FILE
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return {}, [Problem(path, "", _("låsfilen är inte giltig TOML: {error}").format(
            error=error
        ))]
    released: dict[tuple[str, int], str] = {}
    problems = []
    for key in sorted(set(data) - {"released"}):
        problems.append(Problem(path, "", _("okänd nyckel '{key}'").format(key=key)))
    for index, entry in enumerate(data.get("released", []), start=1):
        name = _("post {index}").format(index=index)
        if not (isinstance(entry, dict) and set(entry) == {"id", "version", "sha256"}
                and isinstance(entry["id"], str) and isinstance(entry["version"], int)
                and isinstance(entry["sha256"], str)):
            problems.append(Problem(path, name, _(
                "en post ska ha exakt nycklarna id, version och sha256"
            )))
            continue
        released[(entry["id"], entry["version"])] = entry["sha256"]
    return released, problems


def _write_lock(directory: Path, released: Mapping[tuple[str, int], str]) -> None:
    lines = [_LOCK_HEADER]
    for (form_id, version), sha256 in sorted(released.items()):
        lines.append(f'\n[[released]]\nid = "{form_id}"\nversion = {version}\n'
                     f'sha256 = "{sha256}"\n')
    (directory / LOCK_FILE).write_text("".join(lines), encoding="utf-8")


def _changed_after_release(path: Path, form_id: str, version: int) -> Problem:
    return Problem(path, "", _(
        "formuläret '{id}' version {version} har ändrats efter att det frisläpptes och "
        "används inte. En frisläppt version får aldrig ändras: återställ filen och gör "
        "ändringarna i en ny version ({id}-{next}.toml)."
    ).format(id=form_id, version=version, next=version + 1))


def _sha256_or_none(path: Path) -> str | None:
    """None for an unreadable file, which load_form then reports."""
    try:
        return form_sha256(path)
    except OSError:
        return None


def _form_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.glob("*.toml") if path.name != LOCK_FILE)


def load_forms(directory: Path | None = None) -> FormSet:
    """Load every released, valid, unchanged form in the directory (default resources/forms).

    Never raises for a bad form file: its problems are in `FormSet.problems`.
    """
    directory = directory or forms_directory()
    if not directory.is_dir():
        return FormSet(forms={}, problems=(Problem(directory, "", _(
            "katalogen med formulär finns inte"
        )),))
    released, problems = read_lock(directory)
    forms: dict[tuple[str, int], Form] = {}
    for form_id, version in released:
        path = directory / f"{form_id}-{version}.toml"
        if not path.exists():
            problems.append(Problem(path, "", _(
                "den frisläppta versionen {version} av formuläret '{id}' saknas; sparade "
                "bedömningar hänvisar till den"
            ).format(version=version, id=form_id)))
    released_files = {
        directory / f"{form_id}-{version}.toml": (form_id, version, sha256)
        for (form_id, version), sha256 in released.items()
    }
    for path in _form_files(directory):
        # Checked before parsing, so a changed released file is reported as changed even
        # when the change also broke it.
        sha256 = _sha256_or_none(path)
        if path in released_files and sha256 not in (None, released_files[path][2]):
            form_id, version, _recorded = released_files[path]
            problems.append(_changed_after_release(path, form_id, version))
            continue
        try:
            form = load_form(path)
        except FormError as error:
            problems.extend(error.problems)
            continue
        key = (form.id, form.version)
        if key not in released:
            problems.append(Problem(path, "", _(
                "formuläret '{id}' version {version} är inte frisläppt och används inte; "
                "frisläpp det med `mottagning forms release {name}`"
            ).format(id=form.id, version=form.version, name=path.name)))
        elif released[key] != form.sha256:
            # The file changed between the hash check above and reading it.
            problems.append(_changed_after_release(path, form.id, form.version))
        else:
            forms[key] = form
    return FormSet(forms=forms, problems=tuple(problems))


def check_forms(directory: Path | None = None) -> list[Problem]:
    """Every problem with the forms in the directory: validation, lock file, test cases."""
    return list(load_forms(directory).problems)


def release_form(path: Path, directory: Path | None = None) -> Form:
    """Record a valid form file as released in the lock file of its directory.

    Raises FormError if the form is invalid or if that version was already released with
    other content.
    """
    directory = directory or path.parent
    form = load_form(path)
    released, problems = read_lock(directory)
    if problems:
        raise FormError(problems)
    recorded = released.get((form.id, form.version))
    if recorded is not None and recorded != form.sha256:
        raise FormError([Problem(path, "", _(
            "version {version} av '{id}' är redan frisläppt med annat innehåll; gör en ny "
            "version i stället"
        ).format(version=form.version, id=form.id))])
    released[(form.id, form.version)] = form.sha256
    _write_lock(directory, released)
    return form
