/*
 * dynscan.c - the dynamic-import scan (dynscan.h), an ast walk in the
 * embedded interpreter: it folds f-strings, '+' and str.format over
 * literals, module-level constants and the lists a for loop or a
 * comprehension iterates over.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include "dynscan.h"

#include "fz_error.h"
#include "pyhelp.h"

#include <string.h>

static const char helper[] =
    "import ast, itertools\n"
    "MAXV = 256\n"
    "RES = {'files', 'read_text', 'read_binary', 'open_text', 'open_binary',\n"
    "       'contents', 'is_resource', 'get_data', 'resource_string',\n"
    "       'resource_stream', 'resource_filename', 'resource_listdir',\n"
    "       'resource_exists', 'resource_isdir'}\n"
    "RES_BASES = {'resources', 'importlib_resources', 'pkg_resources', "
    "'pkgutil'}\n"
    "EPS = {'entry_points', 'iter_entry_points'}\n"
    "def _dotted(s):\n"
    "    return isinstance(s, str) and s and all(p.isidentifier()\n"
    "                                            for p in s.split('.'))\n"
    "def _fname(f):\n"
    "    if isinstance(f, ast.Name):\n"
    "        return f.id, None\n"
    "    if isinstance(f, ast.Attribute):\n"
    "        v = f.value\n"
    "        base = v.id if isinstance(v, ast.Name) else \\\n"
    "            v.attr if isinstance(v, ast.Attribute) else None\n"
    "        return f.attr, base\n"
    "    return None, None\n"
    "class Scan:\n"
    "    def __init__(self, module, package):\n"
    "        self.module, self.package = module, package\n"
    "        self.consts = {}\n"
    "        self.imports, self.groups, self.resources = [], [], []\n"
    "        self.gi = []\n"
    "    def add(self, lst, vals):\n"
    "        for v in vals or ():\n"
    "            if v not in lst:\n"
    "                lst.append(v)\n"
    "    def values(self, e, env):\n"
    "        if isinstance(e, ast.Constant):\n"
    "            return [e.value] if isinstance(e.value, str) else None\n"
    "        if isinstance(e, ast.Name):\n"
    "            if e.id in env:\n"
    "                return env[e.id]\n"
    "            if e.id == '__name__':\n"
    "                return [self.module]\n"
    "            if e.id == '__package__':\n"
    "                return [self.package]\n"
    "            v = self.consts.get(e.id)\n"
    "            return v if v is not None and len(v) == 1 else None\n"
    "        if isinstance(e, ast.JoinedStr):\n"
    "            parts = []\n"
    "            for p in e.values:\n"
    "                if isinstance(p, ast.FormattedValue):\n"
    "                    if p.format_spec is not None or p.conversion not in "
    "(-1, 115):\n"
    "                        return None\n"
    "                    v = self.values(p.value, env)\n"
    "                else:\n"
    "                    v = self.values(p, env)\n"
    "                if v is None:\n"
    "                    return None\n"
    "                parts.append(v)\n"
    "            return self.product(parts)\n"
    "        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):\n"
    "            a, b = self.values(e.left, env), self.values(e.right, env)\n"
    "            if a is None or b is None:\n"
    "                return None\n"
    "            return self.product([a, b])\n"
    "        if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) "
    "\\\n"
    "                and e.func.attr == 'format' and not e.keywords:\n"
    "            fmt = self.values(e.func.value, env)\n"
    "            args = [self.values(a, env) for a in e.args]\n"
    "            if fmt is None or any(a is None for a in args):\n"
    "                return None\n"
    "            out = []\n"
    "            for f in fmt:\n"
    "                for combo in itertools.product(*args):\n"
    "                    try:\n"
    "                        out.append(f.format(*combo))\n"
    "                    except Exception:\n"
    "                        return None\n"
    "                    if len(out) > MAXV:\n"
    "                        return None\n"
    "            return out\n"
    "        return None\n"
    "    def product(self, parts):\n"
    "        n = 1\n"
    "        for p in parts:\n"
    "            n *= len(p)\n"
    "        if n > MAXV:\n"
    "            return None\n"
    "        return [''.join(c) for c in itertools.product(*parts)]\n"
    "    def seq(self, e, env):\n"
    "        if isinstance(e, (ast.List, ast.Tuple, ast.Set)):\n"
    "            out = []\n"
    "            for x in e.elts:\n"
    "                v = self.values(x, env)\n"
    "                if v is None:\n"
    "                    return None\n"
    "                out.extend(v)\n"
    "            return out\n"
    "        if isinstance(e, ast.Name):\n"
    "            if e.id in self.consts and e.id not in env:\n"
    "                return self.consts[e.id]\n"
    "        if isinstance(e, ast.Dict):\n"
    "            out = []\n"
    "            for k in e.keys:\n"
    "                v = self.values(k, env) if k is not None else None\n"
    "                if v is None:\n"
    "                    return None\n"
    "                out.extend(v)\n"
    "            return out\n"
    "        if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) "
    "\\\n"
    "                and e.func.attr in ('keys', 'values', 'items') \\\n"
    "                and isinstance(e.func.value, ast.Name):\n"
    "            return None\n"
    "        return None\n"
    "    def bind(self, target, it, env):\n"
    "        vals = self.seq(it, env)\n"
    "        env = dict(env)\n"
    "        if isinstance(target, ast.Name):\n"
    "            if vals is None:\n"
    "                env.pop(target.id, None)\n"
    "            else:\n"
    "                env[target.id] = vals\n"
    "        else:\n"
    "            for n in ast.walk(target):\n"
    "                if isinstance(n, ast.Name):\n"
    "                    env.pop(n.id, None)\n"
    "        return env\n"
    "    def const(self, node):\n"
    "        if isinstance(node, ast.Assign) and len(node.targets) == 1 and "
    "\\\n"
    "                isinstance(node.targets[0], ast.Name):\n"
    "            name = node.targets[0].id\n"
    "            v = self.values(node.value, {})\n"
    "            if v is None:\n"
    "                v = self.seq(node.value, {})\n"
    "            if v is not None:\n"
    "                self.consts[name] = v\n"
    "            else:\n"
    "                self.consts.pop(name, None)\n"
    "    def call(self, node, env):\n"
    "        name, base = _fname(node.func)\n"
    "        if name in ('import_module', '__import__') and node.args:\n"
    "            vals = self.values(node.args[0], env)\n"
    "            pkg = None\n"
    "            if len(node.args) > 1 and name == 'import_module':\n"
    "                pkg = self.values(node.args[1], env)\n"
    "            for kw in node.keywords:\n"
    "                if kw.arg == 'package':\n"
    "                    pkg = self.values(kw.value, env)\n"
    "            for v in vals or ():\n"
    "                if v.startswith('.'):\n"
    "                    for p in pkg or ():\n"
    "                        level = len(v) - len(v.lstrip('.'))\n"
    "                        parts = p.split('.')\n"
    "                        if level - 1 > len(parts) or not p:\n"
    "                            continue\n"
    "                        b = '.'.join(parts[:len(parts) - level + 1])\n"
    "                        rest = v[level:]\n"
    "                        self.add(self.imports, [b + '.' + rest if rest "
    "else b])\n"
    "                elif _dotted(v):\n"
    "                    self.add(self.imports, [v])\n"
    "        if name in EPS or name in ('select', 'get'):\n"
    "            groups = []\n"
    "            for kw in node.keywords:\n"
    "                if kw.arg == 'group':\n"
    "                    groups.append(self.values(kw.value, env))\n"
    "            if name == 'iter_entry_points' and node.args:\n"
    "                groups.append(self.values(node.args[0], env))\n"
    "            if name == 'get' and node.args and isinstance(node.func, "
    "ast.Attribute) \\\n"
    "                    and isinstance(node.func.value, ast.Call) and \\\n"
    "                    _fname(node.func.value.func)[0] == 'entry_points':\n"
    "                groups.append(self.values(node.args[0], env))\n"
    "            for g in groups:\n"
    "                self.add(self.groups, [x for x in g or () if x])\n"
    "        if name == 'require_version' and base in ('gi', None) \\\n"
    "                and len(node.args) == 2:\n"
    "            ns = self.values(node.args[0], env)\n"
    "            ver = self.values(node.args[1], env)\n"
    "            if ns and ver and len(ns) == 1 and len(ver) == 1:\n"
    "                self.add_gi(ns[0], ver[0])\n"
    "        if name == 'require_versions' and base in ('gi', None) \\\n"
    "                and len(node.args) == 1 and isinstance(node.args[0], "
    "ast.Dict):\n"
    "            for k, v in zip(node.args[0].keys, node.args[0].values):\n"
    "                ns = self.values(k, env) if k is not None else None\n"
    "                ver = self.values(v, env)\n"
    "                if ns and ver and len(ns) == 1 and len(ver) == 1:\n"
    "                    self.add_gi(ns[0], ver[0])\n"
    "        if name in RES and node.args and (base in RES_BASES or base is "
    "None):\n"
    "            for v in self.values(node.args[0], env) or ():\n"
    "                if _dotted(v):\n"
    "                    self.add(self.resources, [v])\n"
    "    def add_gi(self, ns, ver=None):\n"
    "        if not (ns.isascii() and ns.isidentifier()) or \\\n"
    "                (ver is not None and not \\\n"
    "                all(p.isdigit() for p in ver.split('.'))):\n"
    "            return\n"
    "        self.add(self.gi, [ns + '-' + ver if ver else ns])\n"
    "    def visit(self, node, env, depth=0):\n"
    "        if depth > 200:\n"
    "            return\n"
    "        if isinstance(node, (ast.Import, ast.ImportFrom)):\n"
    "            for a in node.names:\n"
    "                full = a.name if isinstance(node, ast.Import) else \\\n"
    "                    (node.module or '') + '.' + a.name\n"
    "                if getattr(node, 'level', 0) == 0 and \\\n"
    "                        full.startswith('gi.repository.'):\n"
    "                    self.add_gi(full.split('.')[2])\n"
    "        if isinstance(node, (ast.For, ast.AsyncFor)):\n"
    "            self.visit(node.iter, env, depth + 1)\n"
    "            inner = self.bind(node.target, node.iter, env)\n"
    "            for s in node.body + node.orelse:\n"
    "                self.visit(s, inner, depth + 1)\n"
    "            return\n"
    "        if isinstance(node, (ast.ListComp, ast.SetComp, "
    "ast.GeneratorExp,\n"
    "                             ast.DictComp)):\n"
    "            inner = env\n"
    "            for g in node.generators:\n"
    "                self.visit(g.iter, inner, depth + 1)\n"
    "                inner = self.bind(g.target, g.iter, inner)\n"
    "            for f in ('elt', 'key', 'value'):\n"
    "                if hasattr(node, f):\n"
    "                    self.visit(getattr(node, f), inner, depth + 1)\n"
    "            return\n"
    "        if isinstance(node, ast.Call):\n"
    "            self.call(node, env)\n"
    "        if isinstance(node, ast.Subscript) and isinstance(node.value, "
    "ast.Call) \\\n"
    "                and _fname(node.value.func)[0] == 'entry_points':\n"
    "            self.add(self.groups, [x for x in self.values(node.slice, "
    "env) or () if x])\n"
    "        for child in ast.iter_child_nodes(node):\n"
    "            self.visit(child, env, depth + 1)\n"
    "def scan(source, module, package):\n"
    "    try:\n"
    "        tree = ast.parse(source)\n"
    "    except (SyntaxError, ValueError, MemoryError, RecursionError):\n"
    "        return [], [], [], []\n"
    "    s = Scan(module, package)\n"
    "    for node in tree.body:\n"
    "        s.const(node)\n"
    "    try:\n"
    "        s.visit(tree, {})\n"
    "    except RecursionError:\n"
    "        pass\n"
    "    return s.imports, s.groups, s.resources, s.gi\n";

static const char *const triggers[] = {
    "import_module", "__import__", "entry_points",  "resources",
    "get_data",      "resource_",  "gi.repository", "require_version"};

int
fz_dynscan_wanted(const char *source, size_t size)
{
    for (size_t i = 0; i < sizeof(triggers) / sizeof(*triggers); i++) {
        if (memmem(source, size, triggers[i], strlen(triggers[i])) != NULL) {
            return 1;
        }
    }
    return 0;
}

static int
take(fz_strvec *out, PyObject *list)
{
    fz_strvec tmp = FZ_STRVEC_INIT;
    int rc = fz_pyhelp_to_strvec(&tmp, list);

    for (size_t i = 0; i < tmp.count && rc == 0; i++) {
        rc = fz_strvec_push_unique(out, tmp.items[i]);
    }
    fz_strvec_dispose(&tmp);
    return rc;
}

int
fz_dynscan_source(fz_dynscan *out, const char *source, size_t size,
                  const char *module, const char *package)
{
    PyObject *src = NULL;
    PyObject *args = NULL;
    PyObject *r = NULL;
    int rc = 0;

    src = PyUnicode_DecodeUTF8(source, (Py_ssize_t)size, "replace");
    args = src ? Py_BuildValue("(Oss)", src, module, package) : NULL;
    if (args == NULL) {
        PyErr_Clear();
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    r = fz_pyhelp_call("_fz_dynscan", helper, "scan", args);
    if (r == NULL) {
        rc = FZ_EFAIL;
        goto done;
    }
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 4) {
        rc = fz_error_set(FZ_EFAIL, "dynamic-import scan: bad answer");
        goto done;
    }
    rc = take(&out->imports, PyTuple_GET_ITEM(r, 0));
    rc = rc ? rc : take(&out->groups, PyTuple_GET_ITEM(r, 1));
    rc = rc ? rc : take(&out->resources, PyTuple_GET_ITEM(r, 2));
    rc = rc ? rc : take(&out->gi, PyTuple_GET_ITEM(r, 3));
done:
    PyErr_Clear();
    Py_XDECREF(src);
    Py_XDECREF(args);
    Py_XDECREF(r);
    return rc;
}

void
fz_dynscan_dispose(fz_dynscan *s)
{
    fz_strvec_dispose(&s->imports);
    fz_strvec_dispose(&s->groups);
    fz_strvec_dispose(&s->resources);
    fz_strvec_dispose(&s->gi);
}
