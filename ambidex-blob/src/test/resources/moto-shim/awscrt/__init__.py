# Pure-Python stand-in for the part of the optional `awscrt` package moto uses (CRC64NVME). See
# ../crc32c.py. Only awscrt.checksums exists: botocore's probe for awscrt.auth still fails.
