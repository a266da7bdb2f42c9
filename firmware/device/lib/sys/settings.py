# pyDirect settings: the firmware's shipped defaults (/settings/default_settings.json, never
# written) overlaid by the user's overrides (/settings/user_settings.json, written by save()).
# Keys are dotted paths into the nested JSON: get('wifi.ssid').
import json
import os

DEFAULTS_PATH = '/settings/default_settings.json'
USER_PATH = '/settings/user_settings.json'

_MISSING = object()
_defaults = {}
_user = {}
_loaded = False


def _read(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except OSError:
        return {}
    except ValueError:
        # A corrupt file must not stop the board from booting; the defaults still apply.
        print('settings: %s is not valid JSON, ignoring it' % path)
        return {}
    return data if isinstance(data, dict) else {}


def reload():
    global _defaults, _user, _loaded
    _defaults = _read(DEFAULTS_PATH)
    _user = _read(USER_PATH)
    _loaded = True


def _ensure_loaded():
    if not _loaded:
        reload()


def _lookup(tree, parts):
    node = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _merged(base, over):
    out = {}
    for k in base:
        out[k] = base[k]
    for k in over:
        if isinstance(out.get(k), dict) and isinstance(over[k], dict):
            out[k] = _merged(out[k], over[k])
        else:
            out[k] = over[k]
    return out


def get(key, default=None):
    _ensure_loaded()
    parts = key.split('.')
    user = _lookup(_user, parts)
    shipped = _lookup(_defaults, parts)
    if isinstance(user, dict) or isinstance(shipped, dict):
        return _merged(shipped if isinstance(shipped, dict) else {}, user if isinstance(user, dict) else {})
    if user is not _MISSING:
        return user
    if shipped is not _MISSING:
        return shipped
    return default


def set(key, value):
    _ensure_loaded()
    parts = key.split('.')
    node = _user
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def save():
    _ensure_loaded()
    try:
        os.mkdir('/settings')
    except OSError:
        pass
    # Write then rename, so a reset mid-write leaves the previous file intact.
    tmp = USER_PATH + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(_user, f)
    os.rename(tmp, USER_PATH)
