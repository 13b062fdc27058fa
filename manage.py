#!/usr/bin/env python
from convener.cli import main

if __name__ == "__main__":
    main()
