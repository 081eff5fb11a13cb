"""A drawing or a picture of a number -> the digits in it, left to right.

Each digit is prepared like MNIST on its own (`drawing_to_mnist` / `to_mnist` of
its own ink), so the network reads every digit as it reads a single one, and a
single digit is read exactly as before. Sizes are fractions of the line height
``H`` (the typical height of the tallest columns of ink), so nothing depends on the
canvas' width, the picture's resolution or the pen.

1. Parts: the visible ink strokes of a drawing (an eraser goes with the ink it
   crosses; ink it wiped out entirely is ignored), or the 8-connected components of
   a picture's ink, found as `to_mnist` finds ink.
2. Marks (`marks.py`): parts whose ink touches or nearly touches, within about a
   third of a pen width, are one mark however they sit (the bar of a 4 ending on
   its stem, a 9's tail leaving the side of its loop, a 2 in two strokes meeting
   end to end), unless the mark would be more than 1.6 times as wide as it is tall
   (real digits are at most that wide). Parts that overlap in x and touch (the
   bar of a crossed 7), and a short part or one lying within the other's x span
   that nearly touches it (the lifted hat of a 5), belong together too. The line
   height is then taken from the marks.
3. Specks: a mark smaller than ``0.2 H`` both ways is dropped: read alone it
   would be a digit of its own, kept with its neighbour it would shrink that digit
   (one touching a digit is part of it). When all the ink is specks (a lone dot)
   the whole of it is one piece, as a single digit is read today. A short
   fragment joins the nearest digit within ``0.4 H``; two fragments with no digit
   in reach join each other when together they are digit-sized (the bowl and the
   floating hat of a small 5); a flat digit (at least ``0.35 H`` tall and
   ``0.8 H`` wide: a 2 or a 7 written wide and low) is no fragment. When a
   drawing holds a single digit, the specks and fragments within ``0.6 H`` of it
   are its own (a 5's hat or a 7's bar lifted further off, a dot on a 9's loop).
4. Touching digits (`split.py`): a mark that could hold two digits is tried at
   every split of its parts into two sets whose sides are both digit-sized
   (``0.65 H`` tall, or flat digits), else
   (one part) at cuts through its ink: for drawings the columns that the fewest
   strokes cross, for pictures the least-ink top-to-bottom paths near several
   columns. A split needs a reason of shape first: its cut passes through a waist
   (the ink joining the sides is about one stroke crossed, more as the mark gets
   wider than ``0.9 H``; whole parts share none), and unless the mark is wider
   than ``1.1 H`` its sides stand side by side as two digits do (both at least
   ``0.7 H`` tall, tops and bottoms within ``0.35 H``): a 4's bar cut from its
   stem, or the halves of an 8 no wider than a digit (which the network reads as
   a sure 1 and a sure 3), are never tried. Then the network's vote: the pieces
   must read more confidently (mean and weaker log-odds) than the whole, by a
   margin that shrinks as the mark gets wider than a digit, grows with how much
   the pieces overlap in x (strokes are first set upright, sheared by the lean of
   their steep pieces: leaning 1s side by side overlap wholly in x, upright they
   stand apart), and is lower for whole parts standing apart; and both
   must read as digits (each at least -0.5 log-odds).
   Without ``classify``, only whole parts standing apart, or a mark wider than
   ``1.4 H`` through a single stroke, are split, where the sides overlap least.
   Each side is tried again.
5. Pictures also ask the pair reader (`pair_reader.py`, given as ``pairs``): a
   small CNN that reads a whole mark as one digit or as two that touch. A mark
   it is sure holds two (0.98) is split at its best cut whatever its shape and
   the digit network's margin, the cut's score raised by how likely the reader
   finds the pair its pieces read as; one it finds unlikely to (below 0.1) is
   kept whole; in between, the rules above decide. The shape rules alone leave a
   touching "61" whole, which the digit network reads as a sure 4. Drawings do
   without it: their strokes already part most touching digits, and on real
   strokes it gained nothing there.
"""

from nnpad.core.reading.segment.common import Classify, Piece
from nnpad.core.reading.segment.drawing import segment_drawing
from nnpad.core.reading.segment.picture import segment_image

__all__ = ["Classify", "Piece", "segment_drawing", "segment_image"]
