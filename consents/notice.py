"""The §2.32 notice now lives in ``iop.notice`` (the aftercare plan carries it too, and
aftercare may not import consents); re-exported here so existing imports keep working."""

from iop.notice import PART2_NOTICE

__all__ = ["PART2_NOTICE"]
