/*
 * kpcheck.h - what the key process agrees to put through its RSA key.
 *
 * OpenSSL's legacy path (keyproxy.c) pads in the worker and asks for the
 * raw private-key operation on the padded block.  A raw RSA operation on
 * any input would make the key process a decryption oracle for anything
 * ever encrypted to the key; so the key process takes a block only when
 * it has the form of a signature's padding, and applies the operation
 * to nothing else.  Neither check needs the message: they check the
 * block's structure (RFC 8017 9.1.2 without the hash comparison, and
 * 9.2's DigestInfo).
 */
#ifndef MPICD_KPCHECK_H
#define MPICD_KPCHECK_H

#include <stddef.h>
#include <stdint.h>

/*
 * block: what RSA_NO_PADDING would raise to the private exponent, the
 * modulus's length in octets (mod_bits bits).  0 when it is an EMSA-PSS
 * encoding (MGF1 with the same hash, SHA-256, SHA-384 or SHA-512, and a
 * salt as long as the hash, as TLS 1.3 requires: RFC 8446 4.2.3); -1
 * otherwise.
 */
int mpicd_kp_pss_ok(const uint8_t *block, size_t len, int mod_bits);

/*
 * di: what RSA_PKCS1_PADDING would pad and sign.  0 when it is the DER
 * DigestInfo of a SHA-256, SHA-384 or SHA-512 digest; -1 otherwise.
 */
int mpicd_kp_digestinfo_ok(const uint8_t *di, size_t len);

#endif
