from santui.cli import main

main()
