from elo_tui.cli import main

raise SystemExit(main())
