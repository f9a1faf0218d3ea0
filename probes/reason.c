/*
 * reason.c: the closed enums as text. Switches without default: adding a
 * reason without a name, or a status, is a compiler warning.
 */
#include <string.h>

#include "model.h"

const char *
reason_name(enum reason r)
{
	switch (r) {
	case REASON_DNS_NO_RESOLVER:
		return ("dns_no_resolver");
	case REASON_DNS_NOT_FOUND:
		return ("dns_not_found");
	case REASON_DNS_ERROR:
		return ("dns_error");
	case REASON_CONNECT_REFUSED:
		return ("connect_refused");
	case REASON_NETWORK_UNREACHABLE:
		return ("network_unreachable");
	case REASON_CONNECT_TIMEOUT:
		return ("connect_timeout");
	case REASON_TLS_HANDSHAKE_FAILED:
		return ("tls_handshake_failed");
	case REASON_STARTTLS_UNSUPPORTED:
		return ("starttls_unsupported");
	case REASON_PROTOCOL_ERROR:
		return ("protocol_error");
	case REASON_TIMEOUT:
		return ("timeout");
	case REASON_TRUST_STORE_MISSING:
		return ("trust_store_missing");
	case REASON_TRUST_STORE_EMPTY:
		return ("trust_store_empty");
	case REASON_CLOCK_SKEW:
		return ("clock_skew");
	case REASON_SELF_SIGNED:
		return ("self_signed");
	case REASON_INCOMPLETE_CHAIN:
		return ("incomplete_chain");
	case REASON_UNKNOWN_AUTHORITY:
		return ("unknown_authority");
	case REASON_CHAIN_INVALID:
		return ("chain_invalid");
	case REASON_EXPIRED:
		return ("expired");
	case REASON_NOT_YET_VALID:
		return ("not_yet_valid");
	case REASON_REVOKED:
		return ("revoked");
	case REASON_HOSTNAME_MISMATCH:
		return ("hostname_mismatch");
	case REASON_WRONG_PURPOSE:
		return ("wrong_purpose");
	case REASON_WEAK_KEY:
		return ("weak_key");
	case REASON_WEAK_SIGNATURE:
		return ("weak_signature");
	case REASON_HTTP_ERROR:
		return ("http_error");
	case REASON_HTTP_STATUS:
		return ("http_status");
	case REASON_EXPIRING_SOON:
		return ("expiring_soon");
	case REASON_REVOCATION_UNKNOWN:
		return ("revocation_unknown");
	case REASON_CN_ONLY:
		return ("cn_only");
	case REASON_OK:
		return ("ok");
	}
	return ("unknown");
}

/*
 * The status column of SPEC section 4; diag.c takes every finding's status
 * from here but for a clock_skew that explains a validity error (critical).
 */
enum status
reason_status(enum reason r)
{
	switch (r) {
	case REASON_OK:
		return (STATUS_OK);
	case REASON_EXPIRING_SOON:
	case REASON_REVOCATION_UNKNOWN:
	case REASON_CN_ONLY:
	case REASON_CLOCK_SKEW:
		return (STATUS_WARNING);
	case REASON_DNS_NO_RESOLVER:
	case REASON_DNS_NOT_FOUND:
	case REASON_DNS_ERROR:
	case REASON_CONNECT_REFUSED:
	case REASON_NETWORK_UNREACHABLE:
	case REASON_CONNECT_TIMEOUT:
	case REASON_TLS_HANDSHAKE_FAILED:
	case REASON_STARTTLS_UNSUPPORTED:
	case REASON_PROTOCOL_ERROR:
	case REASON_TIMEOUT:
	case REASON_TRUST_STORE_MISSING:
	case REASON_TRUST_STORE_EMPTY:
	case REASON_SELF_SIGNED:
	case REASON_INCOMPLETE_CHAIN:
	case REASON_UNKNOWN_AUTHORITY:
	case REASON_CHAIN_INVALID:
	case REASON_EXPIRED:
	case REASON_NOT_YET_VALID:
	case REASON_REVOKED:
	case REASON_HOSTNAME_MISMATCH:
	case REASON_WRONG_PURPOSE:
	case REASON_WEAK_KEY:
	case REASON_WEAK_SIGNATURE:
	case REASON_HTTP_ERROR:
	case REASON_HTTP_STATUS:
		return (STATUS_CRITICAL);
	}
	return (STATUS_CRITICAL);
}

const char *
status_name(enum status s)
{
	switch (s) {
	case STATUS_OK:
		return ("ok");
	case STATUS_WARNING:
		return ("warning");
	case STATUS_CRITICAL:
		return ("critical");
	}
	return ("unknown");
}

const char *
phase_name(enum phase p)
{
	switch (p) {
	case PHASE_DNS:
		return ("dns");
	case PHASE_CONNECT:
		return ("connect");
	case PHASE_PROTOCOL:
		return ("protocol");
	case PHASE_TLS:
		return ("tls");
	case PHASE_HTTP:
		return ("http");
	case PHASE_DONE:
		return ("total");
	}
	return ("unknown");
}

