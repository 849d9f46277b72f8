"""Drives Verify account for one user through the accessibility interface
alone, as a screen reader user's tools do (AT-SPI, what Orca reads on
Linux): chooses the user's row in the table, sets the two address fields,
presses the button, and reads the result the window says.

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
