# -*- coding: latin-1 -*-
# café naïve
import pandas
s = 'déjà'
