import sys

from ksln_metrics.cli import main

sys.exit(main())
