"""Un conte écrit pour l'échantillon (français). make_sample.py l'encode en Latin-1 avec CRLF."""

TITLE = "Le Meunier de la Durance"
AUTHOR = "Jules Marchand"
LANGUAGE = "French"

CHAPTERS = [
    (
        "I. LE MOULIN",
        """Il y avait autrefois, au bord de la Durance, un vieux moulin dont la roue tournait depuis plus de deux cents ans. Le meunier s'appelait Baptiste Roux. C'était un homme large et tranquille, aux mains blanches de farine, qui connaissait la rivière mieux que personne. Il savait dire, rien qu'en écoutant le bruit de l'eau contre les pierres, si la crue viendrait dans la nuit ou si le niveau allait encore baisser.

Les paysans des villages voisins lui apportaient leur blé à dos de mulet, et ils repartaient avec des sacs de farine fine et des nouvelles de toute la vallée. Car le moulin était aussi un lieu où l'on parlait. On y racontait les mariages et les disputes, les récoltes et les orages, et Baptiste écoutait tout sans jamais rien répéter, ce qui lui valait la confiance de chacun.

Il vivait avec sa fille, Madeleine, qui avait quinze ans et qui tenait les comptes du moulin dans un grand cahier à couverture verte. Elle écrivait d'une main sûre, et elle savait calculer plus vite que le notaire du bourg, qui en était un peu jaloux. Le soir, quand la roue s'arrêtait, le père et la fille s'asseyaient sur le banc devant la porte et regardaient la rivière couler sous les saules.

« Tu vois, disait Baptiste, l'eau ne revient jamais en arrière. Elle fait tourner la roue une seule fois, puis elle s'en va vers la mer. C'est pour cela qu'il ne faut pas la gaspiller. »

Madeleine ne comprenait pas toujours ce que son père voulait dire, mais elle aimait l'entendre parler ainsi, lentement, en cherchant ses mots, comme s'il les pesait avant de les laisser partir."""
    ),
    (
        "II. LA SÉCHERESSE",
        """Un été, la pluie ne vint pas. Dès le mois de juin, la Durance commença à baisser, découvrant de larges bancs de galets blancs où poussaient des herbes sèches. En juillet, la roue du moulin ne tournait plus que quelques heures par jour, et en août elle s'arrêta tout à fait. Les paysans, eux aussi, regardaient le ciel avec inquiétude, car leurs champs brûlaient sous le soleil.

Baptiste ne pouvait plus moudre, et les sacs de blé s'entassaient dans la grange. Certains clients s'impatientaient. Un riche fermier de Manosque, nommé Ferrand, vint un matin réclamer sa farine en criant qu'il avait payé d'avance et qu'il porterait plainte devant le juge. Madeleine ouvrit le cahier vert et lui montra, ligne par ligne, qu'il n'avait rien payé du tout. Ferrand repartit furieux, mais il ne revint jamais parler de juge.

Pendant ces semaines sans travail, Baptiste marcha souvent le long de la rivière, en remontant vers les montagnes. Il observait les canaux d'irrigation, les petits barrages de pierres que les paysans construisaient pour détourner le peu d'eau qui restait, et il revenait le soir plus silencieux que jamais.

Un jour, il rentra avec une idée. En amont du moulin, dit-il, il y avait une ancienne source que son grand-père utilisait pendant les années sèches. Elle avait été recouverte par un éboulement au siècle précédent, et plus personne ne s'en souvenait. Si l'on dégageait les pierres, peut-être qu'un filet d'eau suffirait à remplir le bief et à faire tourner la roue quelques heures par jour.

Madeleine trouva dans le grenier un vieux plan du moulin, dessiné à l'encre brune, sur lequel la source était marquée d'une petite croix. Le lendemain, le père et la fille partirent avec une pioche, une pelle et un panier de provisions."""
    ),
    (
        "III. LA SOURCE",
        """Le travail dura six jours. Il fallut déplacer des blocs énormes, couper des racines, creuser dans une terre dure comme la pierre. Les premiers jours, quelques paysans passèrent en haussant les épaules, persuadés que le meunier avait perdu la tête. Mais le quatrième jour, le sol devint humide sous la pelle, et le cinquième, un mince ruisseau d'eau claire se mit à couler entre les cailloux.

La nouvelle se répandit dans la vallée plus vite que l'eau elle-même. Les paysans vinrent voir, d'abord par curiosité, puis avec des outils. Ils aidèrent à creuser une rigole jusqu'au bief du moulin, et le soir du sixième jour, la vieille roue se remit à tourner, lentement, en grinçant, sous les applaudissements de tous ceux qui étaient là.

Baptiste aurait pu garder l'eau pour lui seul et moudre le blé de ceux qui payaient le plus. Ferrand, d'ailleurs, lui fit porter une lettre où il proposait le double du prix habituel pour passer avant les autres. Baptiste montra la lettre à sa fille, puis il la plia soigneusement et la rangea dans le tiroir.

« Nous moudrons dans l'ordre du cahier, dit-il. Celui qui est arrivé le premier passera le premier. L'eau n'est pas à nous, Madeleine. Elle passe ici, voilà tout. »

Le soir même, il alla trouver les paysans dont les champs étaient les plus secs, et il leur proposa de partager l'eau de la source. Pendant la nuit, quand le moulin ne tournait pas, le ruisseau serait détourné vers leurs jardins. Ainsi, chacun aurait de quoi arroser ses légumes et faire boire ses bêtes jusqu'au retour de la pluie."""
    ),
    (
        "IV. L'AUTOMNE",
        """La pluie revint à la fin de septembre. Elle tomba pendant trois jours, douce d'abord, puis violente, et la Durance reprit en quelques heures sa couleur grise et son grand bruit de torrent. La roue du moulin tourna de nouveau du matin au soir, et les sacs de blé de la grange furent bientôt transformés en farine.

Dans la vallée, on n'oublia pas ce que le meunier avait fait. À la fête du village, le maire prononça un discours où il parla de la source et du partage de l'eau, et tout le monde leva son verre à la santé de Baptiste et de sa fille. Même Ferrand, un peu gêné, vint serrer la main du meunier en marmonnant quelques mots que personne n'entendit.

Des années plus tard, quand Baptiste fut trop vieux pour porter les sacs, Madeleine prit la direction du moulin. Elle continua de tenir le cahier vert, puis un deuxième, puis un troisième, et elle garda toujours la règle de son père : chacun dans l'ordre de son arrivée, et l'eau partagée quand elle manque.

La source coule encore aujourd'hui, dit-on, au-dessus des ruines du vieux moulin. Les promeneurs qui s'y arrêtent pour boire ne savent pas toujours son histoire. Mais les anciens de la vallée, quand ils la racontent à leurs petits-enfants, finissent toujours par la même phrase, celle que répétait Baptiste le soir sur son banc : l'eau ne revient jamais en arrière, c'est pour cela qu'il ne faut pas la gaspiller."""
    ),
]
