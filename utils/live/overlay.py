"""The real-time demo's overlay: one loop result drawn on its frame (BGR, as OpenCV reads it).

:func:`annotate` draws the face box, the fused label, the top three emotions as bars, each
modality's top class, frames per second and blinks, and what was missing (``status``). Sizes
scale with the frame's width so the text stays readable from 640 pixels up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from utils.labels import EMOTIONS
from utils.video.faces import as_bgr


def _top(probs: np.ndarray | None, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` most probable emotions with their probabilities (none for missing ``probs``)."""
    if probs is None:
        return []
    order = np.argsort(probs)[::-1][:k]
    return [(EMOTIONS[i], float(probs[i])) for i in order]


def annotate(frame: Any, result: dict, text: str = "") -> np.ndarray:
    """Draw a result on a copy of its BGR frame (a grey canvas if the frame is unusable)."""
    import cv2

    bgr = as_bgr(frame)
    canvas = np.full((360, 640, 3), 60, np.uint8) if bgr is None else bgr.copy()
    height, width = canvas.shape[:2]
    scale = max(0.65, width / 1280)  # readable on a 640-pixel frame, proportional above
    font, green, white = cv2.FONT_HERSHEY_SIMPLEX, (80, 220, 80), (255, 255, 255)
    if result.get("box"):
        left, top, right, bottom = result["box"]
        cv2.rectangle(canvas, (left, top), (right, bottom), green, max(1, int(2 * scale)))
    panel_w = int(330 * scale)
    overlay = canvas.copy()
    cv2.rectangle(overlay, (0, 0), (panel_w, int(205 * scale)), (0, 0, 0), -1)
    canvas = cv2.addWeighted(overlay, 0.55, canvas, 0.45, 0)
    line = int(24 * scale)
    label = result.get("label") or "?"
    cv2.putText(canvas, label, (int(8 * scale), line + 4), font, 0.9 * scale * 1.6, green,
                max(1, int(2 * scale)), cv2.LINE_AA)
    y = 2 * line + int(8 * scale)
    for name, p in _top(result.get("fused")):
        bar = int(p * (panel_w - int(190 * scale)))
        cv2.rectangle(canvas, (int(120 * scale), y - line // 2), (int(120 * scale) + bar, y + 2),
                      green, -1)
        cv2.putText(canvas, f"{name}", (int(8 * scale), y), font, 0.5 * scale * 1.6, white, 1,
                    cv2.LINE_AA)
        cv2.putText(canvas, f"{p:.0%}", (int(124 * scale) + bar, y), font, 0.45 * scale * 1.6,
                    white, 1, cv2.LINE_AA)
        y += line
    for modality in ("face", "speech", "text"):
        top = _top(result.get(f"{modality}_probs"), 1)
        said = f"{top[0][0]} {top[0][1]:.0%}" if top else "-"
        cv2.putText(canvas, f"{modality}: {said}", (int(8 * scale), y), font, 0.42 * scale * 1.6,
                    white, 1, cv2.LINE_AA)
        y += int(line * 0.8)
    fps = result.get("fps")
    info = f"{fps:.0f} fps" if fps else ""
    info += f"  blinks {result.get('blinks', 0)}"
    cv2.putText(canvas, info, (int(8 * scale), y), font, 0.42 * scale * 1.6, white, 1,
                cv2.LINE_AA)
    if result.get("status"):
        cv2.putText(canvas, result["status"][:60], (int(8 * scale), height - int(12 * scale)),
                    font, 0.5 * scale * 1.6, (60, 180, 255), 1, cv2.LINE_AA)
    if text:
        cv2.putText(canvas, f"text: {text[:50]}", (int(8 * scale), height - int(40 * scale)),
                    font, 0.45 * scale * 1.6, white, 1, cv2.LINE_AA)
    return canvas
