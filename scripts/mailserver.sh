#!/usr/bin/env bash
# A throwaway mail server for the e-mail channel's tests: Postfix (SMTP in, LMTP out) and
# Dovecot (IMAP, LMTP) from Debian's packages, run from a directory of their own on the
# ports given, with two mailboxes: support@kefu.test and customer@kefu.test (password
# "s3cret"). Nothing of the system's own mail setup is used or changed.
#
#   scripts/mailserver.sh install                              # apt-get the packages if missing
#   scripts/mailserver.sh start DIR SMTP_PORT IMAP_PORT LMTP_PORT [SMTPS_PORT IMAPS_PORT]
#   scripts/mailserver.sh stop DIR
#
# With the two TLS ports, a test CA and a certificate for 127.0.0.1/localhost are made in
# DIR/tls (the CA is DIR/tls/ca.pem), SMTP and IMAP offer STARTTLS, and SMTPS and IMAPS
# speak TLS from the first byte on the extra ports.
#
# Runs as root (Postfix's master starts as root and drops to the postfix user; Dovecot
# delivers as nobody).
set -euo pipefail

cmd=${1:?usage: mailserver.sh install|start|stop ...}

install() {
  local missing=()
  command -v postfix >/dev/null || missing+=(postfix)
  command -v dovecot >/dev/null || missing+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mailserver: nothing answers on port $1" >&2
  return 1
}

# A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost.
make_certificates() {
  local tls=$1
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=kefu test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
  chmod 600 "$tls/server.key" "$tls/ca.key"
}

start() {
  local dir=$1 smtp=$2 imap=$3 lmtp=$4 smtps=${5:-} imaps=${6:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local dovecot_tls="ssl = no" imaps_port=0 postfix_tls="" smtps_service=""
  if [ -n "$smtps" ] && [ -n "$imaps" ]; then
    make_certificates "$dir/tls"
    dovecot_tls="ssl = yes
ssl_cert = <$dir/tls/server.pem
ssl_key = <$dir/tls/server.key"
    imaps_port=$imaps
    postfix_tls="smtpd_tls_cert_file = $dir/tls/server.pem
smtpd_tls_key_file = $dir/tls/server.key
smtpd_tls_security_level = may"
    smtps_service="127.0.0.1:$smtps inet n - n - - smtpd -o smtpd_tls_wrappermode=yes"
  fi
  # Postfix's daemons (user postfix) and Dovecot's (user nobody) walk into this folder.
  chmod 755 "$dir"
  mkdir -p "$dir/dovecot/base" "$dir/dovecot/state" "$dir/mail" "$dir/postfix/queue" "$dir/postfix/data"
  chown nobody:nogroup "$dir/mail"
  chown postfix "$dir/postfix/data"
  printf 'support@kefu.test:{PLAIN}s3cret\ncustomer@kefu.test:{PLAIN}s3cret\n' >"$dir/dovecot/users"
  cat >"$dir/dovecot/dovecot.conf" <<CONF
base_dir = $dir/dovecot/base
state_dir = $dir/dovecot/state
instance_name = kefu-mx-$imap
listen = 127.0.0.1
protocols = imap lmtp
$dovecot_tls
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $dir/dovecot.log
mail_location = maildir:$dir/mail/%d/%n
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
  unix_listener lmtp {
    mode = 0600
  }
}
protocol lmtp {
  postmaster_address = postmaster@kefu.test
}
CONF
  cat >"$dir/postfix/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/postfix/queue
data_directory = $dir/postfix/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = kefu-mx-$smtp
myhostname = mx.kefu.test
mydomain = kefu.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = kefu.test
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
maillog_file_prefixes = $dir
maillog_file = $dir/postfix.log
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = yes
biff = no
$postfix_tls
CONF
  cat >"$dir/postfix/master.cf" <<CONF
127.0.0.1:$smtp inet n - n - - smtpd
$smtps_service
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
CONF
  dovecot -c "$dir/dovecot/dovecot.conf"
  # `postfix check` warns that the queue's folders are the postfix user's: they must be.
  postfix -c "$dir/postfix" start >/dev/null 2>&1 || {
    echo "mailserver: postfix did not start; see $dir/postfix.log" >&2
    exit 1
  }
  wait_port "$imap"
  wait_port "$lmtp"
  wait_port "$smtp"
  if [ -n "$smtps" ] && [ -n "$imaps" ]; then
    wait_port "$smtps"
    wait_port "$imaps"
  fi
}

stop() {
  local dir=$1
  [ -f "$dir/postfix/main.cf" ] && postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
  [ -f "$dir/dovecot/dovecot.conf" ] && doveadm -c "$dir/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
}

case "$cmd" in
  install) install ;;
  start) start "${2:?DIR}" "${3:?SMTP_PORT}" "${4:?IMAP_PORT}" "${5:?LMTP_PORT}" "${6:-}" "${7:-}" ;;
  stop) stop "${2:?DIR}" ;;
  *) echo "usage: mailserver.sh install|start DIR SMTP IMAP LMTP [SMTPS IMAPS]|stop DIR" >&2; exit 2 ;;
esac
