"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) kept by django-otp, and
the QR code an authenticator app scans, drawn here as SVG: the office has no internet, so no
chart service or CDN may draw it."""

import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

# As django-otp's TOTPDevice defaults: what every authenticator app (微信小程序, 阿里云, Google,
# Microsoft) understands.
STEP = 30
DIGITS = 6
# One step either side: a phone whose clock is half a minute off still works.
TOLERANCE = 1


def new_key() -> str:
    """A fresh secret, hex as TOTPDevice stores it (20 bytes, the RFC's size for SHA-1)."""
    return random_hex(20)


def key_text(key: str) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(user, key: str) -> str:
    # An unsaved device only builds the otpauth:// address; nothing is stored before the
    # user proved with a code that his app holds the secret.
    return TOTPDevice(user=user, key=key, step=STEP, digits=DIGITS).config_url


def qr_svg(text: str) -> SafeString:
    # segno writes only the path of the modules: no text of ours reaches the markup.
    return mark_safe(segno.make(text, error="m").svg_inline(scale=5, border=4))


def code_step(key: str, code: str) -> int | None:
    """The time step at which `code` is the key's code (within TOLERANCE), or None."""
    code = normalise_code(code)
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    totp = TOTP(unhexlify(key), step=STEP, digits=DIGITS)
    totp.time = time.time()
    for drift in range(-TOLERANCE, TOLERANCE + 1):
        totp.drift = drift
        if totp.token() == int(code):
            return totp.t()
    return None


def current_code(key: str) -> str:
    """The key's code now: what the user's app shows (used by tests and the browser tests)."""
    totp = TOTP(unhexlify(key), step=STEP, digits=DIGITS)
    totp.time = time.time()
    return f"{totp.token():0{DIGITS}d}"


def normalise_code(code: str) -> str:
    # Typed from a phone or a printed sheet: spaces, hyphens and capitals mean nothing.
    return "".join(c for c in (code or "") if c.isalnum()).lower()
