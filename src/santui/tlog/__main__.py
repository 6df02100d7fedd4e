import sys

from santui.tlog.cli import main

sys.exit(main(sys.argv[1:], prog="python -m santui.tlog"))
