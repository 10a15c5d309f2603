#!/usr/bin/python3
# eval-time.py - the time each message of a list was received, for xd
# eval's time order (--online over maildirs, --split date).
#
#   python3 eval-time.py <list >timed
#
# reads "label<TAB>path..." lines and writes "seconds<TAB>" before each:
# the date of the topmost Received header, the one the receiving server
# wrote (after its last ';'); the Date header only where no Received
# header has a date, since senders forge Date; 0 where neither has one.
# Only the header is read, at most 256 KB of it.
import email.parser
import email.policy
import email.utils
import sys

LIMIT = 256 * 1024


def header_of(path):
    try:
        with open(path, 'rb') as f:
            data = f.read(LIMIT)
    except OSError as e:
        sys.stderr.write("eval-time: %s: %s\n" % (path, e.strerror))
        return None
    end = len(data)
    for sep in (b'\n\n', b'\r\n\r\n'):
        i = data.find(sep)
        if 0 <= i < end:
            end = i
    return email.parser.BytesHeaderParser(policy=email.policy.compat32) \
        .parsebytes(data[:end] + b'\n\n')


def seconds(text):
    try:
        t = email.utils.parsedate_tz(str(text).strip())
        if t is None:
            return None
        return email.utils.mktime_tz(t)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None


def received_time(msg):
    for r in msg.get_all('Received') or []:
        r = str(r)
        if ';' in r:
            t = seconds(r.rsplit(';', 1)[1])
            if t is not None:
                return t
        # the topmost Received line with a date is the receiver's
    if msg.get('Date') is not None:
        t = seconds(msg.get('Date'))
        if t is not None:
            return t
    return 0


def main():
    for line in sys.stdin.buffer:
        line = line.rstrip(b'\n')
        fields = line.split(b'\t')
        if len(fields) < 2:
            continue
        msg = header_of(fields[1])
        t = received_time(msg) if msg is not None else 0
        sys.stdout.buffer.write(b'%d\t%s\n' % (t, line))


main()
