# Pure-Python stand-in for the optional `crc32c` package moto uses for CRC32C. Without it moto
# silently computes CRC32 instead (moto/s3/utils.py compute_checksum), so the checksum it stores
# for a multipart upload would be wrong. Used only by the blob tests (MotoServer), on machines
# where the package is not installed.
_T = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _T.append(c)


def crc32c(data, value=0):
    c = value ^ 0xFFFFFFFF
    t = _T
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
