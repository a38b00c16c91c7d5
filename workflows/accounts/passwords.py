"""The password policy (issue 14, item 8; NIST SP 800-63B §5.1.1.2): long enough, and not guessable.

Length 12 to 128, no composition rules; and the zxcvbn strength estimator (Dropbox's, maintained as
the `zxcvbn` package) must judge it at least «safely unguessable» (score 3: about 10^8 guesses). zxcvbn
ships the lists of the most common passwords, names and words and sees repeats (`aaaaaaaaaaaa`),
sequences (`123456789012`) and keyboard walks (`qwertyuiop12`); we add the words of this application,
the demo's published password, Vietnamese favourites and the account's own name and e-mail, so a
password made of those is refused too.
"""
from __future__ import annotations

from zxcvbn import zxcvbn

from workflows.domain.errors import InvalidInput

PASSWORD_MIN, PASSWORD_MAX = 12, 128
MIN_SCORE = 3

# The demo province's password is printed in the README: no account may choose it (the demo loader
# writes its accounts without this check, and `demo` refuses to run in production).
DEMO_PASSWORD = "quytrinh-demo-2026"

# Words zxcvbn's English lists do not know: this application, the Party's vocabulary, Vietnamese favourites.
LOCAL_WORDS = (DEMO_PASSWORD, "quytrinh", "quy trinh", "dangvien", "dang vien", "dangcongsan", "chibo", "dangbo",
               "matkhau", "mat khau", "anhyeuem", "emyeuanh", "vietnam", "hanoi", "saigon", "hochiminh",
               "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ngo")


def password_problem(password: str, *, username: str = "", personal: tuple[str, ...] = ()) -> tuple[str, str, str] | None:
    """(Vietnamese, English, short English detail) of what is wrong with a new password, or None."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        return (f"mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự (một cụm từ dài là tốt nhất)",
                f"the password needs at least {PASSWORD_MIN} characters (a long phrase is best)", "too short")
    if len(password) > PASSWORD_MAX:
        return (f"mật khẩu dài tối đa {PASSWORD_MAX} ký tự", f"the password may have at most {PASSWORD_MAX} characters",
                "too long")
    inputs = [w for w in (username, *personal, *LOCAL_WORDS) if w]
    if password.strip().lower() in {w.lower() for w in inputs}:
        return ("mật khẩu trùng tên đăng nhập, tên người dùng hoặc mật khẩu đã công bố; hãy chọn mật khẩu khác",
                "the password equals the username, the user's name or a published password; choose another",
                "too easy to guess")
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return ("mật khẩu quá dễ đoán (quá phổ biến, lặp lại, theo dãy hoặc theo hàng phím); "
                "hãy dùng một cụm vài từ không liên quan",
                "the password is too easy to guess (common, repeated, a sequence or a keyboard row); "
                "use a phrase of a few unrelated words", "too easy to guess")
    return None


def validate_password(password: str, username: str = "", personal: tuple[str, ...] = ()) -> None:
    """InvalidInput (field `password`) when `password_problem` finds something."""
    problem = password_problem(password, username=username, personal=personal)
    if problem:
        vi, en, detail = problem
        raise InvalidInput(vi[0].upper() + vi[1:] + ".", en[0].upper() + en[1:] + ".", {"password": detail})


# The secret key signs session cookies and the chain heads of the record: it must be unguessable.
KEY_MIN_LENGTH = 32
KEY_MIN_GUESSES_LOG10 = 30  # ~100 bits; `python -c "import secrets; print(secrets.token_hex(32))"` gives ~77 digits


def secret_key_problem(key: str) -> str | None:
    """Why a production secret key is not good enough (English, for the operator), or None.

    Length alone lets 32 × `a` through; zxcvbn sees repeats, sequences, words and dates, and its
    guess count must reach 10^30 (random hex of 32 characters is about 10^32).
    """
    key = key or ""
    if len(key) < KEY_MIN_LENGTH:
        return f"QUYTRINH_SECRET_KEY needs at least {KEY_MIN_LENGTH} random characters in production"
    if zxcvbn(key[:100])["guesses_log10"] < KEY_MIN_GUESSES_LOG10:
        return ("QUYTRINH_SECRET_KEY has too little entropy (repeated, sequential or dictionary characters); "
                "make one with: python -c 'import secrets; print(secrets.token_hex(32))'")
    return None
