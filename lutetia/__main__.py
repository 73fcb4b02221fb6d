from lutetia.cli import main

main()
