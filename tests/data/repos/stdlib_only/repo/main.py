import os, sys, json
from typing import List
import asyncio
import distutils.core
import tkinter
import __future__
