"""A drawing or a picture of a number -> the digits in it, left to right.

Each digit is prepared like MNIST on its own (`drawing_to_mnist` / `to_mnist` of
its own ink), so the network reads every digit as it reads a single one, and a
single digit is read exactly as before. Sizes are fractions of the line height
``H`` (the typical height of the tallest columns of ink), so nothing depends on the
canvas' width, the picture's resolution or the pen.

1. Parts: the visible ink strokes of a drawing (an eraser goes with the ink it
   crosses; ink it wiped out entirely is ignored), or the 8-connected components of
   a picture's ink, found as `to_mnist` finds ink.
2. Grouping: two parts that overlap in x and touch (the two strokes of a 4, the
   bar of a crossed 7) belong to one digit, as do a short part (a hat, a bar) or one
   lying within the other's x span that nearly touches it (the lifted hat of a 5).
3. Specks: a group smaller than ``0.2 H`` both ways is dropped: read alone it
   would be a digit of its own, kept with its neighbour it would shrink that digit
   (one touching a digit is part of it). When all the ink is specks (a lone dot)
   the whole of it is one piece, as a single digit is read today.
4. Touching digits: a group that could hold two digits is tried at every split
   of its parts into two sets whose sides are both digit-tall, else (one part) at
   cuts through its ink: for drawings the least-ink column, for pictures the
   least-ink top-to-bottom paths near several columns. With ``classify`` a split
   is kept when the network reads its two pieces more confidently (mean log-odds)
   than the whole, by a margin that shrinks as the group gets wider than a digit
   and grows with how much the pieces overlap in x; without it, a group wider
   than ``1.05 H`` is split where its sides overlap least. Each side is tried
   again.
"""

from nnpad.core.reading.segment.common import Classify, Piece
from nnpad.core.reading.segment.drawing import segment_drawing
from nnpad.core.reading.segment.picture import segment_image

__all__ = ["Classify", "Piece", "segment_drawing", "segment_image"]
