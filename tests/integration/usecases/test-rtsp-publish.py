#!/usr/bin/env python3
import sys
sys.exit(1)
