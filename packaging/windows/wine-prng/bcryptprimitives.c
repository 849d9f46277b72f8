/* For the wine test only, never shipped: wine 8.0's bcryptprimitives.dll lacks
 * ProcessPrng, which Rust's standard library imports since 1.78 to make random
 * numbers, so a Rust program does not start under it. This stand-in answers
 * with advapi32's RtlGenRandom (SystemFunction036), which wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
