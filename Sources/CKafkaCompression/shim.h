// The compression libraries Kafka record batches use, from Debian's -dev packages.
#include <zlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zstd.h>
