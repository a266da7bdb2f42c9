# The board's side of the verification protocol on the WebRTC DataChannel (see
# src/core/verify/device-channel.ts for the portal's side). One JSON object per message:
#   hello -> version, hostname, DTLS fingerprint
#   echo  -> the same data back
#   prove -> DER ECDSA signature over PROOF_CONTEXT + nonce with the provisioned key
#   exec  -> run one line of Python (the live console), output and error back
#   unlock -> open the console with the WebREPL password (server.webrepl_password)
# The console runs any Python, so it is open only to a peer that signaled over the USB serial link
# (physical access) or that unlocked it with the board's WebREPL password; hello/echo/prove are open.
import json
import binascii

# Signing the bare nonce would let anyone with a DataChannel make the board sign arbitrary data
# (a TLS handshake, say) with its certificate key; the context prefix rules that out.
PROOF_CONTEXT = b"pydirect-proof-v1:"
MAX_NONCE = 64
MAX_UNLOCK_FAILURES = 5


def _same(a, b):
    # Compare without stopping at the first difference, so timing does not leak the password.
    a, b = a.encode(), b.encode()
    diff = len(a) ^ len(b)
    for i in range(min(len(a), len(b))):
        diff |= a[i] ^ b[i]
    return diff == 0


class VerifyService:
    def __init__(self, peer, version, hostname, console_open=False, console_password=None):
        self.peer = peer
        self.version = version
        self.hostname = hostname
        self.console_open = console_open
        self.console_password = console_password
        self.unlock_failures = 0
        self.console = {"__name__": "__console__"}

    def handle(self, data):
        try:
            if isinstance(data, (bytes, bytearray)):
                data = data.decode()
            request = json.loads(data)
            op = request["op"]
            rid = request["id"]
        except Exception:
            return  # not a protocol message; ignore as the portal ignores stray text
        try:
            reply = self._dispatch(op, request)
        except Exception as e:
            reply = {"op": "error", "message": "%s: %s" % (type(e).__name__, e)}
        reply["id"] = rid
        self._send(reply)

    def _send(self, reply):
        try:
            self.peer.send(json.dumps(reply))
        except OSError:
            pass  # channel went away; the portal times the call out and reports it
        except ValueError:
            self.peer.send(json.dumps({"op": "error", "id": reply["id"], "message": "reply too large for send_buffer"}))

    def _dispatch(self, op, request):
        if op == "hello":
            return {"op": "hello", "version": self.version, "hostname": self.hostname, "fingerprint": self.peer.fingerprint(),
                    "console": "open" if self.console_open else "locked"}
        if op == "echo":
            return {"op": "echo", "data": request.get("data", "")}
        if op == "prove":
            nonce = binascii.a2b_base64(str(request["nonce"]).encode())
            if not nonce or len(nonce) > MAX_NONCE:
                raise ValueError("nonce must be 1 to %d bytes" % MAX_NONCE)
            signature = self.peer.sign(PROOF_CONTEXT + nonce)
            return {"op": "proof", "signature": binascii.b2a_base64(signature).decode().strip()}
        if op == "unlock":
            return self._unlock(request.get("password"))
        if op == "exec":
            if not self.console_open:
                raise ValueError("the console is locked: unlock it with the board's WebREPL password, or connect over USB")
            output, error = self.run_line(request.get("line", ""))
            return {"op": "result", "output": output, "error": error}
        raise ValueError("unknown op %r" % op)

    def _unlock(self, password):
        if self.console_open:
            return {"op": "unlocked"}
        if self.unlock_failures >= MAX_UNLOCK_FAILURES:
            raise ValueError("too many wrong passwords; reset the board to try again")
        if not self.console_password:
            raise ValueError("no WebREPL password is set on this board; connect over USB")
        if not isinstance(password, str) or not _same(password, self.console_password):
            self.unlock_failures += 1
            raise ValueError("wrong password")
        self.console_open = True
        return {"op": "unlocked"}

    def run_line(self, line):
        out = []

        def capture(*args, sep=" ", end="\n"):
            out.append(sep.join(str(a) for a in args) + end)

        self.console["print"] = capture
        try:
            head, tail = self._split_last_expression(line)
            if head:
                exec(head, self.console)
            if tail is not None:
                value = eval(tail, self.console)
                if value is not None:
                    out.append(repr(value) + "\n")
            return "".join(out), None
        except Exception as e:
            return "".join(out), "%s: %s" % (type(e).__name__, e)

    @staticmethod
    def _split_last_expression(line):
        # As the REPL echoes the value of a final expression: "a = 2; a * 3" runs "a = 2" and
        # shows 6. Returns (statements to exec, expression to eval or None).
        try:
            return None, compile(line, "<console>", "eval")
        except SyntaxError:
            pass
        cut = line.rfind(";")
        if cut > 0:
            try:
                return compile(line[:cut], "<console>", "exec"), compile(line[cut + 1:].strip(), "<console>", "eval")
            except SyntaxError:
                pass
        return compile(line, "<console>", "exec"), None
