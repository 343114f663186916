"""The municipality profile form (system administrators): the letterhead and footer of every letter.

Saved over the version it was opened on: a profile another administrator saved meanwhile is
shown beside the typed one (the conflict dialog), never overwritten unseen; the typed values
stay in the form until the choice is saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor
from mottagning.errors import ConcurrentEdit
from mottagning.letters.profile import ProfileData, get_profile, profile_version, put_profile
from ui.operations import Operations
from ui.widgets.conflict_dialog import Choice, ConflictDialog
from ui.widgets.window_geometry import fit_window


class ProfileForm(QDialog):
    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.logo: bytes | None = None
        self.version: int | None = None  # the saved profile's version the form shows
        self.conflict: ConflictDialog | None = None
        self.setWindowTitle(self.tr("Kommunprofil för brev"))
        fit_window(self, "profile", QSize(620, 520))
        self.fields = {
            "municipality": QLineEdit(), "unit": QLineEdit(), "visiting_address": QLineEdit(),
            "phone": QLineEdit(), "phone_hours": QLineEdit(), "email": QLineEdit(),
        }
        self.postal_address = QPlainTextEdit()
        self.postal_address.setFixedHeight(70)
        self.fields["phone_hours"].setPlaceholderText(self.tr("till exempel vardagar kl. 8.30–10.00"))
        self.logo_preview = QLabel(self.tr("Ingen logotyp"))
        self.logo_preview.setFixedSize(180, 80)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        choose = QPushButton(self.tr("Välj bild…"))
        choose.clicked.connect(self.choose_logo)
        remove = QPushButton(self.tr("Ta bort"))
        remove.clicked.connect(lambda: self.set_logo(None))
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(choose)
        logo_row.addWidget(remove)
        logo_row.addStretch(1)

        form = QFormLayout()
        form.addRow(self.tr("Kommun"), self.fields["municipality"])
        form.addRow(self.tr("Enhet"), self.fields["unit"])
        form.addRow(self.tr("Besöksadress"), self.fields["visiting_address"])
        form.addRow(self.tr("Postadress\n(en rad per rad)"), self.postal_address)
        form.addRow(self.tr("Telefon"), self.fields["phone"])
        form.addRow(self.tr("Telefontider"), self.fields["phone_hours"])
        form.addRow(self.tr("E-post"), self.fields["email"])
        form.addRow(self.tr("Logotyp (PNG/JPEG)"), logo_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        ops.query(lambda session: (get_profile(session), profile_version(session)),
                  success=lambda found: self._loaded(*found))

    def _loaded(self, profile: ProfileData, version: int) -> None:
        self.version = version
        for name, field in self.fields.items():
            field.setText(getattr(profile, name))
        self.postal_address.setPlainText(profile.postal_address)
        self.set_logo(profile.logo)

    def set_logo(self, logo: bytes | None) -> None:
        self.logo = logo
        pixmap = QPixmap()
        if logo and pixmap.loadFromData(logo):
            self.logo_preview.setPixmap(pixmap.scaled(self.logo_preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo_preview.setText(self.tr("Ingen logotyp"))

    def choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Välj logotyp"), "",
                                                    self.tr("Bilder (*.png *.jpg *.jpeg)"))
        if path:
            self.set_logo(Path(path).read_bytes())

    def profile(self) -> ProfileData:
        values = {name: field.text() for name, field in self.fields.items()}
        return ProfileData(postal_address=self.postal_address.toPlainText(), logo=self.logo, **values)

    def save(self) -> None:
        actor, profile, version = self._actor, self.profile(), self.version
        self._ops.mutate(lambda s: put_profile(s, actor, profile, expected_version=version),
                         success=lambda _changes: self.accept(),
                         failure=lambda error: self._refused(error, profile))

    def as_text(self, profile: ProfileData) -> str:
        """The profile one field a line, for the side-by-side view."""
        rows = [(self.tr("Kommun"), profile.municipality), (self.tr("Enhet"), profile.unit),
                (self.tr("Besöksadress"), profile.visiting_address),
                (self.tr("Postadress"), profile.postal_address.replace("\n", " / ")),
                (self.tr("Telefon"), profile.phone), (self.tr("Telefontider"), profile.phone_hours),
                (self.tr("E-post"), profile.email),
                (self.tr("Logotyp"), self.tr("finns") if profile.logo else self.tr("ingen"))]
        return "\n".join(f"{label}: {value}" for label, value in rows)

    def _refused(self, error: BaseException, mine: ProfileData) -> None:
        if not (isinstance(error, ConcurrentEdit) and error.has_newer):
            self._ops.errors.show_error(error)
            return
        theirs = error.theirs
        assert isinstance(theirs, ProfileData)
        dialog = ConflictDialog(mine=self.as_text(mine), theirs=self.as_text(theirs),
                                about=str(error), mergeable=False,
                                theirs_title=self.tr("Profilen som nu är sparad"), parent=self)
        self.conflict = dialog
        newer = int(error.version or 0)

        def chosen(_result: int) -> None:
            self.conflict = None
            dialog.deleteLater()
            if dialog.choice is Choice.MINE:
                self.version = newer
                self.save()
            elif dialog.choice is Choice.THEIRS:
                self._loaded(theirs, newer)  # the newer profile, to go on from

        dialog.finished.connect(chosen)
        dialog.open()
