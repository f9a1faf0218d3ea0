#!/bin/bash
# server_vsftpd.sh: ftp:// and ftps:// against a real vsftpd (Debian's),
# three standalone listeners (vsftpd has one port per process): AUTH TLS,
# implicit TLS, and ssl_enable=NO, all with the fixture's chain: ok with
# the fixture's CA, unknown_authority with another one, the banner kept,
# starttls_unsupported quoting vsftpd's answer to AUTH TLS where TLS is
# off. openssl s_client -starttls ftp judges each the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

server_need vsftpd
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir vsftpd
mkdir -p "$SD/empty"
server_pki "$SD"
FTP=$(free_port) FTPS=$(free_port) PLAIN=$(free_port)
for v in auth:$FTP:NO:YES implicit:$FTPS:YES:YES plain:$PLAIN:NO:NO; do
	IFS=: read -r n port implicit ssl <<<"$v"
	cat >"$SD/$n.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
secure_chroot_dir=$SD/empty
seccomp_sandbox=NO
xferlog_enable=NO
ftpd_banner=fx.test FTP ready
ssl_enable=$ssl
implicit_ssl=$implicit
rsa_cert_file=$SD/server.pem
rsa_private_key_file=$SD/server.key
CONF
	server_start "vsftpd-$n" vsftpd "$SD/$n.conf"
done
server_wait "$FTP"
server_wait "$FTPS"
server_wait "$PLAIN"

svc --ca-file "$CA" "ftp://127.0.0.1:$FTP"
svc_expect ok ok 0 "vsftpd AUTH TLS" "^TLSv1\.[23] \(ftp, STARTTLS\)"
svc_field '.protocol == {"name": "ftp", "greeting": "220 fx.test FTP ready", "starttls": true}' \
    "protocol ftp, AUTH TLS agreed, the banner"
svc --ca-file "$CA" "ftps://127.0.0.1:$FTPS"
svc_expect ok ok 0 "vsftpd implicit TLS" "^TLSv1\.[23] \(ftps\)"
svc_field '.protocol == {"name": "ftps", "greeting": "220 fx.test FTP ready", "starttls": null}' \
    "protocol ftps, the banner read over TLS"

svc --ca-file "$OTHER" "ftp://127.0.0.1:$FTP"
svc_expect unknown_authority critical 1 "vsftpd AUTH TLS, another CA" "good-root-ca\.test"
svc --ca-file "$OTHER" "ftps://127.0.0.1:$FTPS"
svc_expect unknown_authority critical 1 "vsftpd ftps, another CA" "good-root-ca\.test"

svc --ca-file "$CA" "ftp://127.0.0.1:$PLAIN"
svc_expect starttls_unsupported critical 1 "vsftpd ssl_enable=NO" \
    "the ftp service at 127\.0\.0\.1:$PLAIN refused STARTTLS: it answered 'AUTH TLS' with '530 Please login with USER and PASS\..r.n'"

sclient_agrees "AUTH TLS verified" 0 -starttls ftp -connect "127.0.0.1:$FTP" \
    -CAfile "$CA" -verify_ip 127.0.0.1
sclient_agrees "ftps not verified with another CA" 1 \
    -connect "127.0.0.1:$FTPS" -CAfile "$OTHER"
sclient_agrees "no AUTH TLS with ssl_enable=NO" 1 -starttls ftp \
    -connect "127.0.0.1:$PLAIN" -CAfile "$CA"

for n in auth implicit plain; do
	server_stop "vsftpd-$n"
done
tap_done
