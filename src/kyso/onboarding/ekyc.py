"""eKYC: the card's front and back and a portrait, checked automatically, at most
``max_attempts`` times.

Each submission is one attempt. Automated checks: every file a JPEG or PNG (by content),
within the size limit, at least ``min_pixels`` on its short side, the three distinct; the
card's MRZ (if given) matched the form; the face-match port's verdict — the default refers
the comparison to the RA officer. A passing attempt moves the registration to the
contract; the last failing one rejects it (``exhaust``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kyso.clock import Clock
from kyso.errors import Text
from kyso.onboarding.errors import EkycExhausted, InvalidField
from kyso.onboarding.images import Image, sniff
from kyso.onboarding.journal import move, owned, refused
from kyso.onboarding.model import EkycImages, Registration
from kyso.onboarding.ports import FaceMatch, FaceVerdict
from kyso.onboarding.states import Event, State
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWorkFactory

__all__ = ["EkycFailed", "EkycPolicy", "EkycService", "image_problem"]


@dataclass(frozen=True)
class EkycPolicy:
    max_attempts: int = 3
    max_bytes: int = 1024 * 1024
    min_pixels: int = 300


def image_problem(policy: EkycPolicy, images: list[Image],
                  files: tuple[bytes, ...]) -> Text | None:
    """What is wrong with three sniffed images (the card's front and back, a portrait) under
    eKYC's rules — three different images, each at least ``min_pixels`` a side — or None.
    Identity recovery (``accounts/identity_recovery.py``) checks its images the same way."""
    if len(set(files)) != 3:
        return Text("mặt trước, mặt sau và ảnh chân dung phải là ba ảnh khác nhau",
                    "the front, the back and the portrait must be three different images")
    small = [i for i in images if min(i.width, i.height) < policy.min_pixels]
    if small:
        pixels = policy.min_pixels
        return Text(f"mỗi cạnh của ảnh cần ít nhất {pixels} điểm ảnh",
                    f"images need at least {pixels} pixels on each side")
    return None


class EkycFailed(InvalidField):
    code = "ekyc_failed"
    vi = "Xác thực giấy tờ không đạt: {reason}. Còn {left} lần thử."
    en = "The eKYC checks failed: {reason}. {left} attempts left."


class EkycService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, blobs: BlobStore,
                 faces: FaceMatch, policy: EkycPolicy) -> None:
        self._uow, self._clock, self._blobs, self._faces = uow_factory, clock, blobs, faces
        self.policy = policy

    def submit(self, account_id: str, front: bytes, back: bytes,
               portrait: bytes) -> Registration:
        with self._uow() as uow:
            owned(uow, account_id, lock=False).expect(State.AWAITING_EKYC, Event.EKYC)
        images = [sniff(data, self.policy.max_bytes) for data in (front, back, portrait)]
        problem = self._problem(images, front, back, portrait)
        verdict = self._faces.compare(front, portrait) if problem is None else None
        if verdict is FaceVerdict.NO_MATCH:
            problem = Text("ảnh chân dung không khớp với ảnh trên thẻ",
                           "the portrait does not match the card")
        # a refused attempt keeps no identity images: only a passing one is stored
        stored = (EkycImages(*(self._blobs.put(d) for d in (front, back, portrait)))
                  if problem is None else None)
        return self._record(account_id, stored, problem, verdict)

    def _problem(self, images: list[Image], *files: bytes) -> Text | None:
        return image_problem(self.policy, images, files)

    def _record(self, account_id: str, images: EkycImages | None, problem: Text | None,
                verdict: FaceVerdict | None) -> Registration:
        now = self._clock.now()
        with self._uow() as uow:
            current = owned(uow, account_id)
            current.expect(State.AWAITING_EKYC, Event.EKYC)
            attempts = current.ekyc_attempts + 1
            checks = {"attempt": attempts, "images": "ok" if problem is None else str(problem),
                      "mrz": "matched" if current.mrz else "not given",
                      "face": verdict.value if verdict else "not run"}
            if problem is None:
                current = move(uow, current, Event.EKYC, now, actor=account_id,
                               ekyc_attempts=attempts, images=images, checks=checks)
                uow.commit()
                return current
            left = self.policy.max_attempts - attempts
            failed = EkycFailed(reason=problem, left=left)
            if left <= 0:
                move(uow, current, Event.EXHAUST, now, actor=account_id,
                     ekyc_attempts=attempts, checks=checks)
                uow.commit()
                raise EkycExhausted(limit=self.policy.max_attempts)
            uow.onboarding.save(replace(current, ekyc_attempts=attempts, checks=checks))
            refused(uow, current, now, actor=account_id, action="ekyc", error=failed)
            uow.commit()
            raise failed
