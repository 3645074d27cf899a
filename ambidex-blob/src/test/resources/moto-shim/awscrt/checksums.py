_POLY = 0x9A6C9329AC4BC9B5
_MASK = 0xFFFFFFFFFFFFFFFF
_T = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ _POLY if c & 1 else c >> 1
    _T.append(c)


def crc64nvme(data, previous_crc64=0):
    c = previous_crc64 ^ _MASK
    t = _T
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ _MASK


def crc32c(data, previous_crc32c=0):
    import crc32c as _c
    return _c.crc32c(data, previous_crc32c)
