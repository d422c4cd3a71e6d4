"""The real-time demo's overlay: one loop result drawn on its frame (BGR, as OpenCV reads it).

:func:`annotate` draws the face box, the fused label, the top three emotions as bars, each
modality's top class, frames per second and blinks, and what was missing (``status``). Text is
sized by the height of its capital letters as drawn (:func:`text_style`): 14 px on a 640-px-wide
frame, in proportion to the width above and below, so it stays readable when a notebook or a web
page shows the frame at half size.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from utils.labels import EMOTIONS
from utils.video.faces import as_bgr

CAP_HEIGHT_AT_640 = 14.0  # px: height of a capital letter on a 640-px-wide frame
GREEN, WHITE, ORANGE = (80, 220, 80), (255, 255, 255), (60, 180, 255)  # BGR


@lru_cache(maxsize=None)
def _cap_height(thickness: int) -> float:
    """The drawn height (px) of a capital "H" at font scale 1, measured by rasterising it.

    ``cv2.getTextSize`` reports the font's nominal height (about 22 px at scale 1 for SIMPLEX),
    more than what is drawn: sizing from it gives text smaller than asked.
    """
    import cv2

    canvas = np.zeros((120, 120), np.uint8)
    cv2.putText(canvas, "H", (5, 100), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, thickness, cv2.LINE_AA)
    rows = np.flatnonzero(canvas.max(axis=1) > 127)
    return (rows[-1] - rows[0] + 1 - (thickness - 1)) / 2.0


def text_style(width: int, size: float = 1.0) -> tuple[float, int]:
    """``(font scale, thickness)`` for ``cv2.putText`` whose capitals are ``size`` x 14 px high
    on a 640-px-wide frame, in proportion to ``width``; the stroke is about a seventh of that."""
    cap = CAP_HEIGHT_AT_640 * size * width / 640.0
    thickness = max(1, int(round(cap / 7.0)))
    return cap / _cap_height(thickness), thickness


def _top(probs: np.ndarray | None, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` most probable emotions with their probabilities (none for missing ``probs``)."""
    if probs is None:
        return []
    order = np.argsort(probs)[::-1][:k]
    return [(EMOTIONS[i], float(probs[i])) for i in order]


def _put(canvas: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int],
         size: float = 1.0) -> None:
    """Text with its baseline at (x, y), sized for the canvas's width."""
    import cv2

    scale, thickness = text_style(canvas.shape[1], size)
    cv2.putText(canvas, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness,
                cv2.LINE_AA)


def _panel_lines(result: dict) -> list[tuple[str, float | None]]:
    """The panel's lines after the label: (text, bar length in [0, 1] or None)."""
    lines: list[tuple[str, float | None]] = [(name, p) for name, p in _top(result.get("fused"))]
    for modality in ("face", "speech", "text"):
        top = _top(result.get(f"{modality}_probs"), 1)
        lines.append((f"{modality}: " + (f"{top[0][0]} {top[0][1]:.0%}" if top else "-"), None))
    fps = result.get("fps")
    lines.append(((f"{fps:.0f} fps  " if fps else "") + f"blinks {result.get('blinks', 0)}", None))
    return lines


def annotate(frame: Any, result: dict, text: str = "") -> np.ndarray:
    """Draw a result on a copy of its BGR frame (a grey canvas if the frame is unusable)."""
    import cv2

    bgr = as_bgr(frame)
    canvas = np.full((360, 640, 3), 60, np.uint8) if bgr is None else bgr.copy()
    height, width = canvas.shape[:2]
    unit = width / 640.0                       # 1 on a 640-px frame
    line, pad = int(round(25 * unit)), int(round(8 * unit))
    if result.get("box"):
        left, top, right, bottom = result["box"]
        cv2.rectangle(canvas, (left, top), (right, bottom), GREEN, max(2, int(round(2 * unit))))
    lines = _panel_lines(result)
    panel_w, panel_h = int(round(290 * unit)), int(round(line * (len(lines) + 1.6)))
    shade = canvas.copy()
    cv2.rectangle(shade, (0, 0), (panel_w, panel_h), (0, 0, 0), -1)
    canvas = cv2.addWeighted(shade, 0.55, canvas, 0.45, 0)
    y = int(round(line * 1.3))
    _put(canvas, result.get("label") or "?", pad, y, GREEN, size=1.4)
    bar_x, bar_room = int(round(120 * unit)), int(round(110 * unit))
    for words, bar in lines:
        y += line
        if bar is None:
            _put(canvas, words, pad, y, WHITE)
            continue
        length = int(round(bar * bar_room))
        cv2.rectangle(canvas, (bar_x, y - int(14 * unit)), (bar_x + length, y), GREEN, -1)
        _put(canvas, words, pad, y, WHITE)
        _put(canvas, f"{bar:.0%}", bar_x + length + pad // 2, y, WHITE)
    if text:
        _put(canvas, f"text: {text[:40]}", pad, height - pad - line, WHITE)
    if result.get("status"):
        _put(canvas, result["status"][:48], pad, height - pad, ORANGE)
    return canvas
