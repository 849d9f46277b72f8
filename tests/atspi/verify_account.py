"""Drives Verify account for one user through the accessibility interface
alone, as a screen reader user's tools do (AT-SPI, what Orca reads on
Linux): chooses the user's row in the table, sets the two address fields,
presses the button, and reads the result the window says. Then it writes
what a screen reader user meets as text (DUMP, the fourth argument): the
list, the form, and the Verify accounts dialog, one node a line with its
role, name, value and states.

Run by tests/atspi.rs inside a D-Bus session with the AT-SPI bus, beside
the real program under Xvfb. Prints each step; exits non-zero on failure.
"""

import sys
import time

import pyatspi

USER_ROW = sys.argv[1]  # the start of the row's name: "3, Jonas Persson"
ADDRESS = sys.argv[2]
# What the window says once it is done: any of these ("|" between them),
# as the message may be queued or already delivered when it is read.
EXPECTED = sys.argv[3].split("|")
DUMP = sys.argv[4] if len(sys.argv) > 4 else None


def walk(node, depth=0):
    yield node
    if depth > 40:
        return
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is not None:
            yield from walk(child, depth + 1)


def app():
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        candidate = desktop.getChildAtIndex(i)
        if candidate is not None and candidate.name == "hrm-users":
            return candidate
    return None


def wait_for(what, find, seconds=30):
    started = time.time()
    while time.time() - started < seconds:
        root = app()
        if root is not None:
            try:
                found = find(root)
            except Exception:  # the tree changes under us: look again
                found = None
            if found:
                print(f"found {what}", flush=True)
                return found
        time.sleep(0.2)
    root = app()
    if root is not None:
        try:
            said = [n.name for n in walk(root) if n.getRoleName() == "label" and n.name]
        except Exception as error:  # the tree changed under us
            said = [str(error)]
        print("the window says:", said, flush=True)
    sys.exit(f"never found {what}")


def by(role, name=None, starts=None):
    def find(root):
        hits = [
            n
            for n in walk(root)
            if n.getRoleName() == role
            and (name is None or n.name == name)
            and (starts is None or (n.name or "").startswith(starts))
        ]
        return hits or None

    return find


def press(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == "click":
            action.doAction(i)
            return
    sys.exit(f"{node.getRoleName()} '{node.name}' cannot be pressed")


table = wait_for("the users table", by("table", "Users"))[0]
row = wait_for(f"the row {USER_ROW}", by("table row", starts=USER_ROW))[0]
press(row)


def two_emails(root):
    hits = by("entry", "Email")(root)
    return hits if hits and len(hits) >= 2 else None


# The form's connection fields: the second "Email" (the first is General's).
emails = wait_for("the form's two Email fields", two_emails)
confirm = wait_for("Confirm email", by("entry", "Confirm email"))[0]
emails[1].queryEditableText().setTextContents(ADDRESS)
confirm.queryEditableText().setTextContents(ADDRESS)
time.sleep(0.5)
button = wait_for("Verify account", by("push button", "Verify account"))[0]
press(button)


def result(root):
    return [
        n.name for n in walk(root) if any(e in (n.name or "") for e in EXPECTED)
    ] or None


said = wait_for(f"the result '{EXPECTED}'", result)
print("SAID:", said[0], flush=True)


# What a screen reader says of each part, as text.
STATES = {
    pyatspi.STATE_FOCUSED: "focused",
    pyatspi.STATE_SELECTED: "selected",
    pyatspi.STATE_REQUIRED: "required",
    pyatspi.STATE_INVALID_ENTRY: "invalid",
    pyatspi.STATE_EXPANDED: "expanded",
    pyatspi.STATE_COLLAPSED: "collapsed",
    pyatspi.STATE_CHECKED: "checked",
    pyatspi.STATE_MODAL: "modal",
}
SKIPPED = {"filler", "panel", "unknown", "section"}


def line(node, depth):
    role = node.getRoleName()
    text = f"{'  ' * depth}{role} '{node.name}'"
    try:
        value = node.queryText().getText(0, -1)
        if value and value != node.name:
            text += f" = '{value}'"
    except NotImplementedError:
        pass
    states = node.getState()
    said = [word for state, word in STATES.items() if states.contains(state)]
    if role in ("push button", "entry", "check box", "page tab") and not states.contains(
        pyatspi.STATE_ENABLED
    ):
        said.append("disabled")
    if said:
        text += " [" + ", ".join(said) + "]"
    return text


def dump(node, depth=0, rows=4):
    """Named nodes (and the roles of unnamed structure) under `node`; a
    table's first `rows` rows only."""
    lines = []
    role = node.getRoleName()
    if node.name or role not in SKIPPED:
        lines.append(line(node, depth))
        depth += 1
    shown_rows = 0
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is None:
            continue
        if child.getRoleName() == "table row":
            shown_rows += 1
            if shown_rows > rows:
                continue
        lines.extend(dump(child, depth, rows))
    return lines


if DUMP:
    out = ["# The list"]
    table = wait_for("the users table", by("table", "Users"))[0]
    out += dump(table)
    out.append("# The form")
    heading = wait_for("the form's heading", by("heading", "General"))[0]
    form = heading.parent
    out += dump(form)
    out.append("# Verify accounts")
    press(wait_for("Verify accounts", by("push button", "Verify accounts"))[0])
    dialog = wait_for("the Verify accounts dialog", by("dialog", "Verify accounts"))[0]
    time.sleep(1)
    dialog = wait_for("the Verify accounts dialog", by("dialog", "Verify accounts"))[0]
    out += dump(dialog)
    with open(DUMP, "w", encoding="utf-8") as file:
        file.write("\n".join(out) + "\n")
    print("DUMPED", len(out), "lines", flush=True)
