/*
 * MicroPython binding of the `webrtc` module (API: firmware/docs/webrtc-api.md).
 *
 * Threading: esp_peer calls back on its own FreeRTOS task (webrtc_peer.c). Those callbacks
 * only copy data into a malloc'd queue and ask for `webrtc_dispatch` to be scheduled with
 * mp_sched_schedule; the dispatch runs on the MicroPython thread, builds the Python objects
 * and calls the user's callbacks. Python objects are never touched off that thread.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/objstr.h"
#include "py/runtime.h"

#include "core/wrtc_ice.h"
#include "core/wrtc_status.h"
#include "esp_peer.h"
#include "modwebrtc.h"
#include "webrtc_peer.h"
#include "webrtc_sign.h"

#define MAX_ICE_SERVERS 4

typedef struct _webrtc_peer_obj_t {
  mp_obj_base_t base;
  webrtc_peer_t *peer; /* NULL only if construction failed half-way */
  webrtc_signer_t signer;
  wrtc_ice_server_t servers[MAX_ICE_SERVERS]; /* esp_peer holds pointers into these */
  size_t n_servers;
  mp_obj_t on_offer;
  mp_obj_t on_answer;
  mp_obj_t on_ice_candidate;
  mp_obj_t on_data;
  mp_obj_t on_state;
} webrtc_peer_obj_t;

/* Raises the Python exception that webrtc-api.md documents for a wrtc status. */
NORETURN static void raise_status(webrtc_peer_obj_t *self, int status, const char *detail) {
  switch (status) {
    case WRTC_ERR_CLOSED:
      mp_raise_OSError(MP_EBADF);
    case WRTC_ERR_NOT_CONNECTED:
      mp_raise_OSError(MP_ENOTCONN);
    case WRTC_ERR_FULL:
      mp_raise_OSError(MP_EAGAIN);
    case WRTC_ERR_NO_MEM:
      mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("webrtc: out of memory"));
    case WRTC_ERR_STACK:
      mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("[Errno %d] webrtc stack error %d"),
                        MP_EIO, self != NULL && self->peer ? webrtc_peer_last_stack_error(self->peer) : 0);
    default:
      mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s"),
                        detail != NULL ? detail : wrtc_status_text(status));
  }
}

static void check(webrtc_peer_obj_t *self, int status, const char *detail) {
  if (status != WRTC_OK) {
    raise_status(self, status, detail);
  }
}

/* ---- event delivery on the MicroPython thread ---- */

static mp_obj_t webrtc_dispatch(mp_obj_t self_in);
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_dispatch_obj, webrtc_dispatch);

/*
 * Runs on esp_peer's task: may only hand the object pointer to the scheduler. When the
 * scheduler queue is full the next event asks again, or Python calls process_queue().
 */
static bool wakeup_from_peer_task(void *arg) {
  return mp_sched_schedule(MP_OBJ_FROM_PTR(&webrtc_dispatch_obj), MP_OBJ_FROM_PTR(arg));
}

static mp_obj_t callback_for(webrtc_peer_obj_t *self, const wrtc_event_t *ev) {
  switch (ev->kind) {
    case WRTC_EVENT_STATE: return self->on_state;
    case WRTC_EVENT_LOCAL_SDP:
      return webrtc_peer_role(self->peer) == WRTC_ROLE_CONTROLLING ? self->on_offer : self->on_answer;
    case WRTC_EVENT_ICE_CANDIDATE: return self->on_ice_candidate;
    case WRTC_EVENT_DATA: return self->on_data;
  }
  return mp_const_none;
}

static mp_obj_t event_argument(const wrtc_event_t *ev) {
  switch (ev->kind) {
    case WRTC_EVENT_STATE: return MP_OBJ_NEW_SMALL_INT(ev->state);
    case WRTC_EVENT_DATA: return mp_obj_new_bytes(ev->payload, ev->size);
    default: return mp_obj_new_str((const char *)ev->payload, ev->size);
  }
}

static mp_int_t drain(webrtc_peer_obj_t *self) {
  if (self->peer == NULL) {
    return 0;
  }
  wrtc_event_queue_t *events = webrtc_peer_events(self->peer);
  wrtc_event_queue_begin_drain(events);
  mp_int_t delivered = 0;
  wrtc_event_t ev;
  while (wrtc_event_queue_pop(events, &ev) == WRTC_OK) {
    mp_obj_t cb = callback_for(self, &ev);
    if (cb != mp_const_none) {
      // Building the argument can raise MemoryError; the payload must be freed either way.
      nlr_buf_t nlr;
      mp_obj_t arg = MP_OBJ_NULL;
      if (nlr_push(&nlr) == 0) {
        arg = event_argument(&ev);
        nlr_pop();
      } else {
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
      }
      wrtc_event_release(&ev);
      if (arg != MP_OBJ_NULL) {
        // A callback that raises prints its traceback and does not stop later events.
        mp_call_function_1_protected(cb, arg);
        delivered++;
      }
    } else {
      wrtc_event_release(&ev);
    }
  }
  return delivered;
}

static mp_obj_t webrtc_dispatch(mp_obj_t self_in) {
  drain(MP_OBJ_TO_PTR(self_in));
  return mp_const_none;
}

/* ---- construction ---- */

static void parse_ice_servers(webrtc_peer_obj_t *self, mp_obj_t servers_in) {
  size_t n;
  mp_obj_t *items;
  mp_obj_get_array(servers_in, &n, &items);
  if (n > MAX_ICE_SERVERS) {
    mp_raise_ValueError(MP_ERROR_TEXT("at most 4 ice_servers"));
  }
  for (size_t i = 0; i < n; i++) {
    const char *why = NULL;
    int rc = wrtc_ice_server_parse(mp_obj_str_get_str(items[i]), &self->servers[i], &why);
    if (rc != WRTC_OK) {
      check(self, rc, why);
    }
    self->n_servers = i + 1;
  }
}

static void release_peer(webrtc_peer_obj_t *self) {
  if (self->peer != NULL) {
    webrtc_peer_free(self->peer);
    self->peer = NULL;
  }
  for (size_t i = 0; i < self->n_servers; i++) {
    wrtc_ice_server_free(&self->servers[i]);
  }
  self->n_servers = 0;
  webrtc_signer_free(&self->signer);
}

static mp_obj_t webrtc_peer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
                                     const mp_obj_t *all_args) {
  enum { ARG_role, ARG_ice_servers, ARG_send_buffer, ARG_recv_buffer, ARG_cert, ARG_key };
  static const mp_arg_t allowed[] = {
    { MP_QSTR_role, MP_ARG_OBJ, { .u_rom_obj = MP_ROM_QSTR(MP_QSTR_controlling) } },
    { MP_QSTR_ice_servers, MP_ARG_KW_ONLY | MP_ARG_OBJ, { .u_rom_obj = MP_ROM_PTR(&mp_const_empty_tuple_obj) } },
    { MP_QSTR_send_buffer, MP_ARG_KW_ONLY | MP_ARG_INT, { .u_int = 16384 } },
    { MP_QSTR_recv_buffer, MP_ARG_KW_ONLY | MP_ARG_INT, { .u_int = 16384 } },
    { MP_QSTR_cert, MP_ARG_KW_ONLY | MP_ARG_OBJ, { .u_rom_obj = MP_ROM_NONE } },
    { MP_QSTR_key, MP_ARG_KW_ONLY | MP_ARG_OBJ, { .u_rom_obj = MP_ROM_NONE } },
  };
  mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
  mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, args);

  wrtc_role_t role;
  if (!mp_obj_is_str(args[ARG_role].u_obj) ||
      wrtc_sm_parse_role(mp_obj_str_get_str(args[ARG_role].u_obj), &role) != WRTC_OK) {
    mp_raise_ValueError(MP_ERROR_TEXT("role must be 'controlling' or 'controlled'"));
  }
  if (wrtc_check_buffer_size(args[ARG_send_buffer].u_int) != WRTC_OK ||
      wrtc_check_buffer_size(args[ARG_recv_buffer].u_int) != WRTC_OK) {
    mp_raise_ValueError(MP_ERROR_TEXT("send_buffer and recv_buffer must be 256..4194304 bytes"));
  }

  webrtc_peer_obj_t *self = mp_obj_malloc_with_finaliser(webrtc_peer_obj_t, type);
  self->peer = NULL;
  self->n_servers = 0;
  self->on_offer = self->on_answer = self->on_ice_candidate = mp_const_none;
  self->on_data = self->on_state = mp_const_none;
  webrtc_signer_init(&self->signer);

  // Everything below may raise; the finaliser releases what was set up so far.
  parse_ice_servers(self, args[ARG_ice_servers].u_obj);
  mp_obj_t key = args[ARG_key].u_obj;
  mp_obj_t cert = args[ARG_cert].u_obj;
  if (key != mp_const_none) {
    size_t key_len, cert_len = 0;
    const char *key_pem = mp_obj_str_get_data(key, &key_len);
    const char *cert_pem = cert != mp_const_none ? mp_obj_str_get_data(cert, &cert_len) : NULL;
    const char *why = NULL;
    check(self, webrtc_signer_load(&self->signer, key_pem, key_len, cert_pem, cert_len, &why), why);
  } else if (cert != mp_const_none) {
    mp_raise_ValueError(MP_ERROR_TEXT("cert needs its key: pass key= as well"));
  }

  webrtc_peer_config_t cfg = {
    .role = role,
    .send_buffer = (size_t)args[ARG_send_buffer].u_int,
    .recv_buffer = (size_t)args[ARG_recv_buffer].u_int,
    .servers = self->servers,
    .n_servers = self->n_servers,
    .wakeup = wakeup_from_peer_task,
    .wakeup_arg = self,
  };
  check(self, webrtc_peer_open(&cfg, &self->peer), NULL);
  return MP_OBJ_FROM_PTR(self);
}

/* ---- methods ---- */

static webrtc_peer_obj_t *usable(mp_obj_t self_in) {
  webrtc_peer_obj_t *self = MP_OBJ_TO_PTR(self_in);
  if (self->peer == NULL) {
    mp_raise_OSError(MP_EBADF);
  }
  return self;
}

static mp_obj_t set_callback(mp_obj_t *slot, mp_obj_t cb) {
  if (cb != mp_const_none && !mp_obj_is_callable(cb)) {
    mp_raise_TypeError(MP_ERROR_TEXT("callback must be callable or None"));
  }
  *slot = cb;
  return mp_const_none;
}

#define CALLBACK_SETTER(name)                                                          \
  static mp_obj_t webrtc_peer_##name(mp_obj_t self_in, mp_obj_t cb) {                 \
    return set_callback(&((webrtc_peer_obj_t *)MP_OBJ_TO_PTR(self_in))->name, cb);   \
  }                                                                                    \
  static MP_DEFINE_CONST_FUN_OBJ_2(webrtc_peer_##name##_obj, webrtc_peer_##name)

CALLBACK_SETTER(on_offer);
CALLBACK_SETTER(on_answer);
CALLBACK_SETTER(on_ice_candidate);
CALLBACK_SETTER(on_data);
CALLBACK_SETTER(on_state);

static mp_obj_t webrtc_peer_create_offer_m(mp_obj_t self_in) {
  webrtc_peer_obj_t *self = usable(self_in);
  int rc = webrtc_peer_create_offer(self->peer);
  if (rc == WRTC_ERR_ROLE) {
    mp_raise_ValueError(MP_ERROR_TEXT("create_offer() needs role='controlling'"));
  }
  if (rc == WRTC_ERR_STATE) {
    mp_raise_ValueError(MP_ERROR_TEXT("create_offer() was already called on this peer"));
  }
  check(self, rc, NULL);
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_create_offer_obj, webrtc_peer_create_offer_m);

static mp_obj_t webrtc_peer_set_remote_sdp_m(mp_obj_t self_in, mp_obj_t sdp_in) {
  webrtc_peer_obj_t *self = usable(self_in);
  size_t len;
  const char *sdp = mp_obj_str_get_data(sdp_in, &len);
  const char *why = NULL;
  int rc = webrtc_peer_set_remote_sdp(self->peer, sdp, len, &why);
  if (rc == WRTC_ERR_STATE) {
    why = webrtc_peer_role(self->peer) == WRTC_ROLE_CONTROLLING
            ? "set_remote_sdp() takes the answer once, after create_offer()"
            : "set_remote_sdp() takes one offer per peer";
  }
  check(self, rc, why);
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(webrtc_peer_set_remote_sdp_obj, webrtc_peer_set_remote_sdp_m);

static mp_obj_t webrtc_peer_add_ice_candidate_m(mp_obj_t self_in, mp_obj_t cand_in) {
  webrtc_peer_obj_t *self = usable(self_in);
  size_t len;
  const char *cand = mp_obj_str_get_data(cand_in, &len);
  int rc = webrtc_peer_add_candidate(self->peer, cand, len);
  check(self, rc, rc == WRTC_ERR_STATE ? "add_ice_candidate() needs set_remote_sdp() first" : NULL);
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(webrtc_peer_add_ice_candidate_obj, webrtc_peer_add_ice_candidate_m);

static mp_obj_t webrtc_peer_send_m(mp_obj_t self_in, mp_obj_t data_in) {
  webrtc_peer_obj_t *self = usable(self_in);
  bool text = mp_obj_is_str(data_in);
  mp_buffer_info_t buf;
  mp_get_buffer_raise(data_in, &buf, MP_BUFFER_READ);
  int rc = webrtc_peer_send(self->peer, buf.buf, buf.len, text);
  check(self, rc, rc == WRTC_ERR_TOO_LARGE ? "message is larger than send_buffer" : NULL);
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(webrtc_peer_send_obj, webrtc_peer_send_m);

static mp_obj_t webrtc_peer_state_m(mp_obj_t self_in) {
  webrtc_peer_obj_t *self = MP_OBJ_TO_PTR(self_in);
  return MP_OBJ_NEW_SMALL_INT(self->peer != NULL ? webrtc_peer_state(self->peer) : ESP_PEER_STATE_CLOSED);
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_state_obj, webrtc_peer_state_m);

static mp_obj_t webrtc_peer_fingerprint_m(mp_obj_t self_in) {
  webrtc_peer_obj_t *self = usable(self_in);
  char fp[160];
  int rc = webrtc_peer_fingerprint(self->peer, fp, sizeof fp);
  if (rc == WRTC_ERR_NOT_CONNECTED) {
    return MP_OBJ_NEW_QSTR(MP_QSTR_); // no local description yet; "" as on the virtual board
  }
  check(self, rc, NULL);
  return mp_obj_new_str(fp, strlen(fp));
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_fingerprint_obj, webrtc_peer_fingerprint_m);

static mp_obj_t webrtc_peer_sign_m(mp_obj_t self_in, mp_obj_t nonce_in) {
  webrtc_peer_obj_t *self = MP_OBJ_TO_PTR(self_in);
  if (!self->signer.loaded) {
    mp_raise_ValueError(MP_ERROR_TEXT("sign() needs the key= given to Peer()"));
  }
  mp_buffer_info_t nonce;
  mp_get_buffer_raise(nonce_in, &nonce, MP_BUFFER_READ);
  uint8_t sig[WEBRTC_SIGNATURE_MAX];
  size_t sig_len = 0;
  check(self, webrtc_signer_sign(&self->signer, nonce.buf, nonce.len, sig, &sig_len), NULL);
  return mp_obj_new_bytes(sig, sig_len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(webrtc_peer_sign_obj, webrtc_peer_sign_m);

static mp_obj_t webrtc_peer_process_queue_m(mp_obj_t self_in) {
  return mp_obj_new_int(drain(MP_OBJ_TO_PTR(self_in)));
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_process_queue_obj, webrtc_peer_process_queue_m);

static mp_obj_t webrtc_peer_close_m(mp_obj_t self_in) {
  webrtc_peer_obj_t *self = MP_OBJ_TO_PTR(self_in);
  if (self->peer != NULL) {
    webrtc_peer_close(self->peer); // queues STATE_CLOSED for on_state
  }
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_close_obj, webrtc_peer_close_m);

static mp_obj_t webrtc_peer_del(mp_obj_t self_in) {
  release_peer(MP_OBJ_TO_PTR(self_in));
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrtc_peer_del_obj, webrtc_peer_del);

static const mp_rom_map_elem_t webrtc_peer_locals_dict_table[] = {
  { MP_ROM_QSTR(MP_QSTR_on_offer), MP_ROM_PTR(&webrtc_peer_on_offer_obj) },
  { MP_ROM_QSTR(MP_QSTR_on_answer), MP_ROM_PTR(&webrtc_peer_on_answer_obj) },
  { MP_ROM_QSTR(MP_QSTR_on_ice_candidate), MP_ROM_PTR(&webrtc_peer_on_ice_candidate_obj) },
  { MP_ROM_QSTR(MP_QSTR_on_data), MP_ROM_PTR(&webrtc_peer_on_data_obj) },
  { MP_ROM_QSTR(MP_QSTR_on_state), MP_ROM_PTR(&webrtc_peer_on_state_obj) },
  { MP_ROM_QSTR(MP_QSTR_create_offer), MP_ROM_PTR(&webrtc_peer_create_offer_obj) },
  { MP_ROM_QSTR(MP_QSTR_set_remote_sdp), MP_ROM_PTR(&webrtc_peer_set_remote_sdp_obj) },
  { MP_ROM_QSTR(MP_QSTR_add_ice_candidate), MP_ROM_PTR(&webrtc_peer_add_ice_candidate_obj) },
  { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&webrtc_peer_send_obj) },
  { MP_ROM_QSTR(MP_QSTR_state), MP_ROM_PTR(&webrtc_peer_state_obj) },
  { MP_ROM_QSTR(MP_QSTR_fingerprint), MP_ROM_PTR(&webrtc_peer_fingerprint_obj) },
  { MP_ROM_QSTR(MP_QSTR_sign), MP_ROM_PTR(&webrtc_peer_sign_obj) },
  { MP_ROM_QSTR(MP_QSTR_process_queue), MP_ROM_PTR(&webrtc_peer_process_queue_obj) },
  { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&webrtc_peer_close_obj) },
  { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&webrtc_peer_del_obj) },
};
static MP_DEFINE_CONST_DICT(webrtc_peer_locals_dict, webrtc_peer_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
  webrtc_peer_type,
  MP_QSTR_Peer,
  MP_TYPE_FLAG_NONE,
  make_new, webrtc_peer_make_new,
  locals_dict, &webrtc_peer_locals_dict
  );

/* ---- module ---- */

static mp_obj_t webrtc_pre_generate_cert(void) {
  int err = esp_peer_pre_generate_cert();
  if (err != ESP_PEER_ERR_NONE) {
    mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("[Errno %d] webrtc stack error %d"), MP_EIO, err);
  }
  return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(webrtc_pre_generate_cert_obj, webrtc_pre_generate_cert);

static const mp_rom_map_elem_t webrtc_module_globals_table[] = {
  { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_webrtc) },
  { MP_ROM_QSTR(MP_QSTR_Peer), MP_ROM_PTR(&webrtc_peer_type) },
  { MP_ROM_QSTR(MP_QSTR_pre_generate_cert), MP_ROM_PTR(&webrtc_pre_generate_cert_obj) },
  WEBRTC_SIGNAL_GLOBALS
  { MP_ROM_QSTR(MP_QSTR_STATE_CLOSED), MP_ROM_INT(ESP_PEER_STATE_CLOSED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_DISCONNECTED), MP_ROM_INT(ESP_PEER_STATE_DISCONNECTED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_NEW_CONNECTION), MP_ROM_INT(ESP_PEER_STATE_NEW_CONNECTION) },
  { MP_ROM_QSTR(MP_QSTR_STATE_PAIRING), MP_ROM_INT(ESP_PEER_STATE_PAIRING) },
  { MP_ROM_QSTR(MP_QSTR_STATE_PAIRED), MP_ROM_INT(ESP_PEER_STATE_PAIRED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_CONNECTING), MP_ROM_INT(ESP_PEER_STATE_CONNECTING) },
  { MP_ROM_QSTR(MP_QSTR_STATE_CONNECTED), MP_ROM_INT(ESP_PEER_STATE_CONNECTED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_CONNECT_FAILED), MP_ROM_INT(ESP_PEER_STATE_CONNECT_FAILED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_DATA_CHANNEL_CONNECTED), MP_ROM_INT(ESP_PEER_STATE_DATA_CHANNEL_CONNECTED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_DATA_CHANNEL_OPENED), MP_ROM_INT(ESP_PEER_STATE_DATA_CHANNEL_OPENED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_DATA_CHANNEL_CLOSED), MP_ROM_INT(ESP_PEER_STATE_DATA_CHANNEL_CLOSED) },
  { MP_ROM_QSTR(MP_QSTR_STATE_DATA_CHANNEL_DISCONNECTED), MP_ROM_INT(ESP_PEER_STATE_DATA_CHANNEL_DISCONNECTED) },
};
static MP_DEFINE_CONST_DICT(webrtc_module_globals, webrtc_module_globals_table);

const mp_obj_module_t webrtc_user_cmodule = {
  .base = { &mp_type_module },
  .globals = (mp_obj_dict_t *)&webrtc_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_webrtc, webrtc_user_cmodule);
