#include "wrtc_signal.h"

#include <stdlib.h>
#include <string.h>

#include "wrtc_status.h"

enum { FIELD_TYPE, FIELD_SDP, FIELD_COUNT };

static int fail(const char **why, const char *text, int code) {
  if (why != NULL) {
    *why = text;
  }
  return code;
}

int wrtc_signal_parse(const char *body, size_t len, wrtc_signal_request_t *req, const char **why) {
  if (body == NULL || req == NULL) {
    return fail(why, "no request body", WRTC_ERR_INVALID_ARG);
  }
  memset(req, 0, sizeof(*req));
  wrtc_json_field_t fields[FIELD_COUNT] = {
    [FIELD_TYPE] = { .key = "type" },
    [FIELD_SDP] = { .key = "sdp" },
  };
  int rc = wrtc_json_parse_object(body, len, fields, FIELD_COUNT);
  if (rc == WRTC_ERR_NO_MEM) {
    return fail(why, "out of memory while reading the request", rc);
  }
  if (rc != WRTC_OK) {
    return fail(why, "request body is not a JSON object", WRTC_ERR_PARSE);
  }

  wrtc_json_field_t *type = &fields[FIELD_TYPE];
  wrtc_json_field_t *sdp = &fields[FIELD_SDP];
  const char *problem = NULL;
  if (type->type != WRTC_JSON_MISSING && type->type != WRTC_JSON_STRING) {
    problem = "\"type\" must be a string";
  } else if (sdp->type != WRTC_JSON_MISSING && sdp->type != WRTC_JSON_STRING) {
    problem = "\"sdp\" must be a string";
  } else if (type->type == WRTC_JSON_STRING && strcmp(type->str, "get_offer") == 0) {
    req->kind = WRTC_SIGNAL_GET_OFFER;
  } else if (type->type == WRTC_JSON_STRING && strcmp(type->str, "answer") == 0) {
    req->kind = WRTC_SIGNAL_ANSWER;
  } else if (type->type == WRTC_JSON_MISSING ||
             (type->type == WRTC_JSON_STRING && strcmp(type->str, "offer") == 0)) {
    req->kind = WRTC_SIGNAL_OFFER;
  } else {
    problem = "unknown \"type\": expected \"get_offer\", \"answer\" or \"offer\"";
  }
  if (problem == NULL && req->kind != WRTC_SIGNAL_GET_OFFER) {
    if (sdp->type != WRTC_JSON_STRING || sdp->str_len == 0) {
      problem = req->kind == WRTC_SIGNAL_ANSWER ? "an answer needs a non-empty \"sdp\""
                                                : "an offer needs a non-empty \"sdp\"";
    } else {
      req->sdp = sdp->str; // ownership moves to the request
      req->sdp_len = sdp->str_len;
      sdp->str = NULL;
    }
  }
  wrtc_json_fields_free(fields, FIELD_COUNT);
  if (problem != NULL) {
    memset(req, 0, sizeof(*req));
    return fail(why, problem, WRTC_ERR_PARSE);
  }
  return WRTC_OK;
}

void wrtc_signal_request_free(wrtc_signal_request_t *req) {
  if (req == NULL) {
    return;
  }
  free(req->sdp);
  memset(req, 0, sizeof(*req));
}

static void append_member_string(wrtc_strbuf_t *out, const char *name, const char *value) {
  wrtc_json_append_string(out, name, strlen(name));
  wrtc_strbuf_append(out, ":", 1);
  wrtc_json_append_string(out, value, strlen(value));
}

static void append_string_array(wrtc_strbuf_t *out, const char *name,
                                const char *const *items, size_t n) {
  wrtc_json_append_string(out, name, strlen(name));
  wrtc_strbuf_append(out, ":[", 2);
  for (size_t i = 0; i < n; i++) {
    if (i > 0) {
      wrtc_strbuf_append(out, ",", 1);
    }
    wrtc_json_append_string(out, items[i], strlen(items[i]));
  }
  wrtc_strbuf_append(out, "]", 1);
}

static bool strings_present(const char *const *items, size_t n) {
  if (n > 0 && items == NULL) {
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (items[i] == NULL) {
      return false;
    }
  }
  return true;
}

int wrtc_signal_format_offer(wrtc_strbuf_t *out, const char *sdp, const char *const *candidates,
                             size_t n_candidates) {
  if (out == NULL || sdp == NULL || !strings_present(candidates, n_candidates)) {
    return WRTC_ERR_INVALID_ARG;
  }
  wrtc_strbuf_append(out, "{", 1);
  append_member_string(out, "sdp", sdp);
  wrtc_strbuf_append(out, ",", 1);
  append_string_array(out, "candidates", candidates, n_candidates);
  return wrtc_strbuf_append(out, "}", 1);
}

int wrtc_signal_format_answer(wrtc_strbuf_t *out, const char *status, const char *sdp,
                              const char *const *candidates, size_t n_candidates,
                              bool connected) {
  if (out == NULL || status == NULL || sdp == NULL ||
      !strings_present(candidates, n_candidates)) {
    return WRTC_ERR_INVALID_ARG;
  }
  wrtc_strbuf_append(out, "{", 1);
  append_member_string(out, "status", status);
  wrtc_strbuf_append(out, ",", 1);
  append_member_string(out, "sdp", sdp);
  wrtc_strbuf_append(out, ",", 1);
  append_string_array(out, "ice_candidates", candidates, n_candidates);
  wrtc_strbuf_append_str(out, connected ? ",\"connected\":true" : ",\"connected\":false");
  return wrtc_strbuf_append(out, "}", 1);
}

int wrtc_signal_format_error(wrtc_strbuf_t *out, const char *message) {
  if (out == NULL || message == NULL) {
    return WRTC_ERR_INVALID_ARG;
  }
  wrtc_strbuf_append(out, "{", 1);
  append_member_string(out, "error", message);
  return wrtc_strbuf_append(out, "}", 1);
}
