from orchestration.generator.cli import main

raise SystemExit(main())
