/*
 * webrtc.signal_* and webrtc.rewrite_mdns: thin wrappers over core/wrtc_signal.c and
 * core/wrtc_sdp.c, so device scripts get the same escaping and mDNS handling that the host
 * tests check. Every call runs on the MicroPython thread.
 */
#include <string.h>

#include "py/runtime.h"

#include "core/wrtc_sdp.h"
#include "core/wrtc_signal.h"
#include "core/wrtc_state.h"
#include "core/wrtc_status.h"
#include "modwebrtc.h"

/* Moves a finished buffer into a Python str, freeing the C copy even when that raises. */
static mp_obj_t take_reply(wrtc_strbuf_t *out, int rc) {
  if (rc != WRTC_OK) {
    wrtc_strbuf_free(out);
    if (rc == WRTC_ERR_NO_MEM) {
      mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("webrtc: out of memory"));
    }
    mp_raise_ValueError(MP_ERROR_TEXT("signaling reply larger than 64 KB"));
  }
  nlr_buf_t nlr;
  if (nlr_push(&nlr) == 0) {
    mp_obj_t str = mp_obj_new_str(out->data, out->len);
    nlr_pop();
    wrtc_strbuf_free(out);
    return str;
  }
  wrtc_strbuf_free(out);
  nlr_jump(nlr.ret_val);
}

/*
 * Collects candidate strings into a C array (pointers into the Python strs, which the
 * caller's arguments keep alive for the duration of the call).
 */
static const char **candidate_array(mp_obj_t seq, size_t *n) {
  mp_obj_t *items;
  mp_obj_get_array(seq, n, &items);
  const char **out = m_new(const char *, *n > 0 ? *n : 1);
  for (size_t i = 0; i < *n; i++) {
    out[i] = mp_obj_str_get_str(items[i]);
  }
  return out;
}

static mp_obj_t signal_parse(mp_obj_t body_in) {
  mp_buffer_info_t body;
  mp_get_buffer_raise(body_in, &body, MP_BUFFER_READ);
  wrtc_signal_request_t req;
  const char *why = NULL;
  int rc = wrtc_signal_parse(body.buf, body.len, &req, &why);
  if (rc == WRTC_ERR_NO_MEM) {
    mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("webrtc: out of memory"));
  }
  if (rc != WRTC_OK) {
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s"), why);
  }
  static const qstr kinds[] = { 0, MP_QSTR_get_offer, MP_QSTR_answer, MP_QSTR_offer };
  mp_obj_t items[2] = { MP_OBJ_NEW_QSTR(kinds[req.kind]), mp_const_none };
  nlr_buf_t nlr;
  if (nlr_push(&nlr) == 0) {
    if (req.sdp != NULL) {
      items[1] = mp_obj_new_str(req.sdp, req.sdp_len);
    }
    nlr_pop();
  } else {
    wrtc_signal_request_free(&req);
    nlr_jump(nlr.ret_val);
  }
  wrtc_signal_request_free(&req);
  return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(webrtc_signal_parse_obj, signal_parse);

static mp_obj_t signal_offer_reply(mp_obj_t sdp_in, mp_obj_t candidates_in) {
  size_t n;
  const char **cands = candidate_array(candidates_in, &n);
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  int rc = wrtc_signal_format_offer(&out, mp_obj_str_get_str(sdp_in), cands, n);
  m_del(const char *, cands, n > 0 ? n : 1);
  return take_reply(&out, rc);
}
MP_DEFINE_CONST_FUN_OBJ_2(webrtc_signal_offer_reply_obj, signal_offer_reply);

/* signal_answer_reply(status, sdp, candidates, connected): status is a name or a STATE_* value. */
static mp_obj_t signal_answer_reply(size_t n_args, const mp_obj_t *args) {
  (void)n_args;
  const char *status = mp_obj_is_int(args[0]) ? wrtc_state_name(mp_obj_get_int(args[0]))
                                              : mp_obj_str_get_str(args[0]);
  const char *sdp = mp_obj_str_get_str(args[1]);
  bool connected = mp_obj_is_true(args[3]);
  size_t n;
  const char **cands = candidate_array(args[2], &n);
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  int rc = wrtc_signal_format_answer(&out, status, sdp, cands, n, connected);
  m_del(const char *, cands, n > 0 ? n : 1);
  return take_reply(&out, rc);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(webrtc_signal_answer_reply_obj, 4, 4, signal_answer_reply);

static mp_obj_t signal_error_reply(mp_obj_t message_in) {
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  int rc = wrtc_signal_format_error(&out, mp_obj_str_get_str(message_in));
  return take_reply(&out, rc);
}
MP_DEFINE_CONST_FUN_OBJ_1(webrtc_signal_error_reply_obj, signal_error_reply);

/* rewrite_mdns(candidate_or_sdp, host): replaces "*.local" candidate addresses by host. */
static mp_obj_t rewrite_mdns(mp_obj_t text_in, mp_obj_t host_in) {
  const char *text = mp_obj_str_get_str(text_in);
  const char *host = mp_obj_str_get_str(host_in);
  if (!wrtc_host_is_ip_literal(host)) {
    mp_raise_ValueError(MP_ERROR_TEXT("host must be an IPv4 or IPv6 address"));
  }
  wrtc_strbuf_t out;
  wrtc_strbuf_init(&out, WRTC_SIGNAL_REPLY_LIMIT);
  int rc;
  if (strncmp(text, "candidate:", 10) == 0 || strncmp(text, "a=candidate:", 12) == 0) {
    size_t cap = strlen(text) + strlen(host) + 1; // the rewrite never needs more
    char *buf = m_new(char, cap);
    rc = wrtc_candidate_rewrite_mdns(text, host, buf, cap, NULL);
    if (rc == WRTC_OK) {
      rc = wrtc_strbuf_append_str(&out, buf);
    }
    m_del(char, buf, cap);
    if (rc == WRTC_ERR_PARSE) {
      mp_raise_ValueError(MP_ERROR_TEXT("not an ICE candidate: expected 'candidate:<fields> typ <type>'"));
    }
  } else {
    rc = wrtc_sdp_rewrite_mdns(text, host, &out, NULL);
  }
  return take_reply(&out, rc);
}
MP_DEFINE_CONST_FUN_OBJ_2(webrtc_rewrite_mdns_obj, rewrite_mdns);
